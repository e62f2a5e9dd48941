"""Size limits every face and the domain share.

One file (a checkpoint, a dataset archive, model weights) is at most `UPLOAD_LIMIT`
bytes, however it arrives: a multipart `POST /api/models`, a signed `PUT` to `/files`,
an upload session. A whole request body may carry `BODY_SLACK` more, for the multipart
envelope around the file.
"""

from __future__ import annotations

UPLOAD_LIMIT = 512 * 1024 * 1024
BODY_SLACK = 64 * 1024
BODY_LIMIT = UPLOAD_LIMIT + BODY_SLACK
