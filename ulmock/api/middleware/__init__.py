"""Pure ASGI middleware: request journal, body-size limit, last-resort error envelope."""
