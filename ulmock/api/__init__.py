"""The HTTP faces over the one domain.

An emulator serves one face, chosen when it is built (`ulmock serve --api`, a scenario's
`api:`, the pytest marker's `api=`): `reference`, the seed's id paths and envelope (its
operations live in `ulmock.api.reference` for now), or `platform`, the live owner/slug
contract (`ulmock.api.platform`). `/_ulmock`, `/files`, the clock and webhooks are shared.
"""

FACES = ("reference", "platform")
