"""Vectors for network identities (docs/spec/records.md §3.3), computed
independently of the Rust code: the libp2p peer id of an Ed25519 public key,
the status-map key of its registration (SM3, status-map.md §2), and the
protobuf encoding of a RegisterPeer. Run: python3 make.py > peers.json
(needs the gmssl package for SM3)."""
import json
from gmssl import sm3, func

# Public keys of RFC 8032 §7.1 tests 1-3.
KEYS = [
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
]
ORG = "11440000MB2C50001X"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(b: bytes) -> str:
    n = int.from_bytes(b, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + out


def peer_id(key: bytes) -> str:
    # libp2p PublicKey protobuf {Type: Ed25519 (1), Data: key}, 36 bytes,
    # short enough for the identity multihash (code 0x00, length 0x24).
    pb = b"\x08\x01\x12\x20" + key
    return base58(b"\x00" + bytes([len(pb)]) + pb)


def state_key(key: bytes) -> str:
    msg = b"yinzheng/v1/state\0" + bytes([14]) + len(key).to_bytes(2, "big") + key
    return sm3.sm3_hash(func.bytes_to_list(msg))


def register_peer(org: str, key: bytes, role: int) -> bytes:
    o = org.encode()
    return b"\x0a" + bytes([len(o)]) + o + b"\x12\x20" + key + b"\x18" + bytes([role])


cases = []
for i, k in enumerate(KEYS):
    key = bytes.fromhex(k)
    role = 1 + i % 2
    cases.append({
        "public_key": k,
        "peer_id": peer_id(key),
        "state_key_sm3": state_key(key),
        "register_peer": {"org": ORG, "role": role},
        "register_peer_protobuf": register_peer(ORG, key, role).hex(),
    })
print(json.dumps({
    "rule": "records.md §3.3 (peer id: identity multihash of the libp2p PublicKey protobuf, base58btc), status-map.md §2 tag 14",
    "cases": cases,
}, indent=1))
