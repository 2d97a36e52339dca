"""SM2 with the `gmssl` Python package (an independent pure-Python SM2/SM3
implementation, default ID 1234567812345678), for the interop tests.

  gmssl_py.py sign PRIV_HEX PUB_HEX MSG_HEX   -> r||s hex
  gmssl_py.py verify PUB_HEX MSG_HEX SIG_HEX  -> "true" / "false"

PUB_HEX is X||Y without the 04 prefix.
"""
import sys

from gmssl import func, sm2

cmd = sys.argv[1]
if cmd == "sign":
    priv, pub, msg = sys.argv[2:5]
    c = sm2.CryptSM2(private_key=priv, public_key=pub)
    print(c.sign_with_sm3(bytes.fromhex(msg), func.random_hex(c.para_len)))
elif cmd == "verify":
    pub, msg, sig = sys.argv[2:5]
    c = sm2.CryptSM2(private_key=None, public_key=pub)
    print("true" if c.verify_with_sm3(sig, bytes.fromhex(msg)) else "false")
else:
    sys.exit("usage: gmssl_py.py sign|verify ...")
