#!/usr/bin/env python3
"""Generate the `identities` fixtures: a private Sigstore instance (a
Fulcio-like CA, a CT log, a Rekor v1 log) and one bundle per certificate
shape that sigstore-python 4.5 accepts, each complete and correctly signed:

- email:        the identity in an rfc822Name SAN (Fulcio's email identities),
                issuer in both the v1 (.1) and v2 (.8) extensions;
- othername:    the identity in an otherName SAN of type 1.3.6.1.4.1.57264.1.7
                (Fulcio's username identities), issuer in .1 and .8;
- v1-issuer:    a URI SAN, issuer only in the v1 extension .1 as raw UTF-8
                (certificates of Fulcio before the .8 extension existed);
- second-san:   an email SAN first, the URI identity second (any SAN may
                match, as in sigstore-python and cosign).

Every bundle is v0.3 with a hashedrekord v0.0.1 entry carrying both a signed
entry timestamp and an inclusion proof with a signed checkpoint, and the
certificate carries an embedded SCT from the CT log, so each verifies the
whole way (chain, SCT, signature, SET, inclusion proof, checkpoint).

Run with any Python that has `cryptography` (>= 42):
    python3 generate.py OUTDIR
It writes trusted_root.json, trust_config.json (the same root as a
sigstore-python `--trust-config`), artifact.txt, CASE.sigstore.json and
cases.json (case -> identity, issuer). Keys are random on each run; the
committed files are one run's output.
"""

import base64
import datetime
import hashlib
import json
import struct
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
ISSUER = "https://oauth2.example.test"
T0 = datetime.datetime(2026, 11, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
ARTIFACT = b"ci-intel attest identity fixture\n"

OID_ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
OID_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
OID_OTHERNAME = ObjectIdentifier("1.3.6.1.4.1.57264.1.7")
OID_SCT = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def spki(key) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def der_utf8(text: str) -> bytes:
    raw = text.encode()
    assert len(raw) < 128
    return bytes([0x0C, len(raw)]) + raw


def der_octets(data: bytes) -> bytes:
    n = len(data)
    if n < 128:
        return bytes([0x04, n]) + data
    if n < 256:
        return bytes([0x04, 0x81, n]) + data
    return bytes([0x04, 0x82]) + struct.pack(">H", n) + data


def rfc3339(t: datetime.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


ca_key = ec.generate_private_key(ec.SECP384R1())
ct_key = ec.generate_private_key(ec.SECP256R1())
rekor_key = ec.generate_private_key(ec.SECP256R1())
ca_name = x509.Name(
    [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ci-intel test"),
        x509.NameAttribute(NameOID.COMMON_NAME, "ci-intel test fulcio"),
    ]
)
ca_cert = (
    x509.CertificateBuilder()
    .subject_name(ca_name)
    .issuer_name(ca_name)
    .public_key(ca_key.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(T0 - datetime.timedelta(days=1))
    .not_valid_after(T0 + datetime.timedelta(days=3650))
    .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
    .add_extension(
        x509.KeyUsage(False, False, False, False, False, True, True, False, False),
        critical=True,
    )
    .add_extension(
        x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
    )
    .sign(ca_key, hashes.SHA384())
)
ct_log_id = hashlib.sha256(spki(ct_key)).digest()
rekor_log_id = hashlib.sha256(spki(rekor_key)).digest()


def sct_list(precert_tbs: bytes, when_ms: int) -> bytes:
    issuer_key_hash = hashlib.sha256(spki(ca_key)).digest()
    signed = (
        struct.pack(">BBQH", 0, 0, when_ms, 1)
        + issuer_key_hash
        + struct.pack(">I", len(precert_tbs))[1:]
        + precert_tbs
        + struct.pack(">H", 0)
    )
    sig = ct_key.sign(signed, ec.ECDSA(hashes.SHA256()))
    sct = (
        struct.pack(">B", 0)
        + ct_log_id
        + struct.pack(">QH", when_ms, 0)
        + struct.pack(">BBH", 4, 3, len(sig))
        + sig
    )
    item = struct.pack(">H", len(sct)) + sct
    return struct.pack(">H", len(item)) + item


def leaf(sans, issuer_v1: bool, issuer_v2: bool, not_before):
    key = ec.generate_private_key(ec.SECP256R1())
    serial = x509.random_serial_number()

    def build(sct_value: bytes):
        b = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(not_before)
            .not_valid_after(not_before + datetime.timedelta(minutes=10))
            .add_extension(
                x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .add_extension(x509.SubjectAlternativeName(sans), critical=True)
        )
        if issuer_v1:
            # Fulcio v1: the issuer as raw UTF-8, not DER.
            b = b.add_extension(
                x509.UnrecognizedExtension(OID_ISSUER_V1, ISSUER.encode()), critical=False
            )
        if issuer_v2:
            b = b.add_extension(
                x509.UnrecognizedExtension(OID_ISSUER_V2, der_utf8(ISSUER)), critical=False
            )
        b = b.add_extension(
            x509.UnrecognizedExtension(OID_SCT, der_octets(sct_value)), critical=False
        )
        return b.sign(ca_key, hashes.SHA256())

    draft = build(sct_list(b"placeholder", 0))
    when_ms = int(not_before.timestamp() * 1000)
    cert = build(sct_list(draft.tbs_precertificate_bytes, when_ms))
    return key, cert


def checkpoint(origin: str, size: int, root: bytes) -> str:
    body = f"{origin}\n{size}\n{b64(root)}\n"
    sig = rekor_key.sign(body.encode(), ec.ECDSA(hashes.SHA256()))
    name = origin.split(" - ")[0]
    return body + "\n" + f"\u2014 {name} {b64(rekor_log_id[:4] + sig)}\n"


def bundle(key, cert, log_index: int, integrated_time: int):
    digest = hashlib.sha256(ARTIFACT).digest()
    signature = key.sign(ARTIFACT, ec.ECDSA(hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    body = {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
            "signature": {"content": b64(signature), "publicKey": {"content": b64(cert_pem)}},
        },
    }
    body_bytes = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    set_payload = json.dumps(
        {
            "body": b64(body_bytes),
            "integratedTime": integrated_time,
            "logID": rekor_log_id.hex(),
            "logIndex": log_index,
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    set_sig = rekor_key.sign(set_payload, ec.ECDSA(hashes.SHA256()))
    # A tree of one leaf: the root is the leaf hash, the proof is empty.
    leaf_hash = hashlib.sha256(b"\x00" + body_bytes).digest()
    return {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": b64(cert.public_bytes(serialization.Encoding.DER))},
            "tlogEntries": [
                {
                    "logIndex": str(log_index),
                    "logId": {"keyId": b64(rekor_log_id)},
                    "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
                    "integratedTime": str(integrated_time),
                    "inclusionPromise": {"signedEntryTimestamp": b64(set_sig)},
                    "inclusionProof": {
                        "logIndex": "0",
                        "rootHash": b64(leaf_hash),
                        "treeSize": "1",
                        "hashes": [],
                        "checkpoint": {
                            "envelope": checkpoint("rekor.example.test - 1", 1, leaf_hash)
                        },
                    },
                    "canonicalizedBody": b64(body_bytes),
                }
            ],
            "timestampVerificationData": {},
        },
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": b64(digest)},
            "signature": b64(signature),
        },
    }


def public_key(key, details: str, start: datetime.datetime):
    return {
        "rawBytes": b64(spki(key)),
        "keyDetails": details,
        "validFor": {"start": rfc3339(start)},
    }


start = T0 - datetime.timedelta(days=1)
trusted_root = {
    "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "tlogs": [
        {
            "baseUrl": "https://rekor.example.test",
            "hashAlgorithm": "SHA2_256",
            "publicKey": public_key(rekor_key, "PKIX_ECDSA_P256_SHA_256", start),
            "logId": {"keyId": b64(rekor_log_id)},
        }
    ],
    "certificateAuthorities": [
        {
            "subject": {"organization": "ci-intel test", "commonName": "ci-intel test fulcio"},
            "uri": "https://fulcio.example.test",
            "certChain": {
                "certificates": [
                    {"rawBytes": b64(ca_cert.public_bytes(serialization.Encoding.DER))}
                ]
            },
            "validFor": {"start": rfc3339(start)},
        }
    ],
    "ctlogs": [
        {
            "baseUrl": "https://ctfe.example.test",
            "hashAlgorithm": "SHA2_256",
            "publicKey": public_key(ct_key, "PKIX_ECDSA_P256_SHA_256", start),
            "logId": {"keyId": b64(ct_log_id)},
        }
    ],
    "timestampAuthorities": [],
}
trust_config = {
    "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
    "trustedRoot": trusted_root,
    "signingConfig": {
        "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
        "caUrls": [
            {
                "url": "https://fulcio.example.test",
                "majorApiVersion": 1,
                "validFor": {"start": rfc3339(start)},
                "operator": "example.test",
            }
        ],
        "oidcUrls": [],
        "rekorTlogUrls": [
            {
                "url": "https://rekor.example.test",
                "majorApiVersion": 1,
                "validFor": {"start": rfc3339(start)},
                "operator": "example.test",
            }
        ],
        "rekorTlogConfig": {"selector": "ANY"},
        "tsaUrls": [],
        "tsaConfig": {"selector": "ANY"},
    },
}

OUT.mkdir(parents=True, exist_ok=True)
(OUT / "trusted_root.json").write_text(json.dumps(trusted_root, indent=2) + "\n")
(OUT / "trust_config.json").write_text(json.dumps(trust_config, indent=2) + "\n")
(OUT / "artifact.txt").write_bytes(ARTIFACT)

URI = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"
cases = {
    "email": ([x509.RFC822Name("alice@example.test")], True, True, "alice@example.test"),
    "othername": (
        [x509.OtherName(OID_OTHERNAME, der_utf8("alice!example.test"))],
        True,
        True,
        "alice!example.test",
    ),
    "v1-issuer": ([x509.UniformResourceIdentifier(URI)], True, False, URI),
    "second-san": (
        [x509.RFC822Name("build@example.test"), x509.UniformResourceIdentifier(URI)],
        True,
        True,
        URI,
    ),
}
index = {}
for n, (name, (sans, v1, v2, identity)) in enumerate(cases.items()):
    not_before = T0 + datetime.timedelta(minutes=20 * n)
    key, cert = leaf(sans, v1, v2, not_before)
    integrated = int((not_before + datetime.timedelta(minutes=1)).timestamp())
    b = bundle(key, cert, 100 + n, integrated)
    (OUT / f"{name}.sigstore.json").write_text(json.dumps(b, indent=2) + "\n")
    index[name] = {"identity": identity, "issuer": ISSUER}
(OUT / "cases.json").write_text(json.dumps(index, indent=2) + "\n")
print(f"wrote {len(cases)} bundles to {OUT}")
