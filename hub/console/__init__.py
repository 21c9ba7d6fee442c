"""The ops console: what the hub decided and why, what is stuck, and the means to fix it,
on a web page (hub.console.web) and the command line (hub log, hub episode, ...).

`views` reads, `actions` changes (retry, replay), `access` signs in and audits, `masking`
keeps a child's personal data hidden until someone allowed to see it asks, on the record."""
