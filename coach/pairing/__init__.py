"""Pairing a phone or tablet with `coach serve --pair`: a second listener on the LAN address, over HTTPS.

    cert.py       the listener's self-signed certificate, made on first use and kept in the data folder
    registry.py   who may use that listener: one-time codes, lock-out, device tokens, revocation
    guard.py      the LAN listener's gate (token, Host, Origin) and its pairing page
    api.py        the overlay's pairing sheet on this computer: code, QR, fingerprint, devices, revoke
    listener.py   the LAN address, and serving the loopback and LAN listeners side by side

The server reads only `guard.paired_device` unless pairing is on; `cryptography` and `segno` load with --pair.
"""
