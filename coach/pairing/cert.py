"""The LAN listener's TLS certificate: self-signed, made on this computer the first time it is needed, then reused.

A phone only lets a page use its camera in a secure context, so the LAN listener must speak HTTPS; no public
authority can vouch for a private address such as 192.168.1.20, so the certificate is self-signed and the phone's
browser warns once. The person checks the SHA-256 fingerprint the overlay shows against the one the phone shows.

Files, in `<data folder>/pairing/` (a folder only the user may open): `cert.pem` and `key.pem` (0600). The same
certificate is reused while it names the address being served and has more than a day left, so a phone that
accepted it once is not asked again; a new address or an ending validity makes a new one (and a new fingerprint).
Keys and signatures come from `cryptography` (ECDSA P-256, SHA-256).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_NAME = "cert.pem"
KEY_NAME = "key.pem"
VALID_DAYS = 397  # the longest validity browsers accept for a server certificate (Apple and Chrome rules)
RENEW_BEFORE = dt.timedelta(days=1)


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path
    fingerprint_sha256: str  # "AB:CD:...", as browsers' certificate viewers show it
    created: bool  # made on this call (False: an existing one reused)


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def ensure_certificate(folder: Path, address: str, now: dt.datetime | None = None) -> Certificate:
    """The certificate for `address` (an IP address) in `folder`: the existing one if it still fits, else a new
    one. Also tightens the key file to 0600 if something widened it."""
    now = now or dt.datetime.now(dt.UTC)
    cert_path, key_path = folder / CERT_NAME, folder / KEY_NAME
    existing = _load_fitting(cert_path, key_path, ipaddress.ip_address(address), now)
    if existing is not None:
        os.chmod(key_path, 0o600)
        return Certificate(cert_path, key_path, fingerprint(existing), created=False)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed(key, ipaddress.ip_address(address), now)
    _write(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()), 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return Certificate(cert_path, key_path, fingerprint(cert), created=True)


def _load_fitting(cert_path: Path, key_path: Path, ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
                  now: dt.datetime) -> x509.Certificate | None:
    """The stored certificate if it names `ip`, is valid for more than RENEW_BEFORE and its key is readable."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return None
    same_key = key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo) == \
        cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    fits = ip in names.get_values_for_type(x509.IPAddress) and cert.not_valid_after_utc - now > RENEW_BEFORE
    return cert if same_key and fits else None


def _self_signed(key: ec.EllipticCurvePrivateKey, ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
                 now: dt.datetime) -> x509.Certificate:
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"Stride Coach {ip}"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Stride Coach (made on this computer)"),
    ])
    return (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))  # a phone whose clock is a little behind still accepts it
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write through a temporary file created with `mode` (the key is never readable by others, even briefly)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(tmp, mode)  # os.open's mode is reduced by the umask; set it exactly
    os.replace(tmp, path)
