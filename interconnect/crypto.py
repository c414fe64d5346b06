"""T/CEC 102 part 4 security: AES-128-CBC with PKCS#7 padding and HMAC-MD5 signatures.

DataSecret, DataSecretIV and SigSecret are 16 literal characters used as UTF-8 bytes.
`Data` is Base64 of the ciphertext; `Sig` is the upper-case hex HMAC-MD5 of the plain
concatenation of the envelope fields.
"""

import base64
import binascii
import hashlib
import hmac

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK_BITS = 128


class CryptoError(ValueError):
    """Data that cannot be decoded or decrypted; `reason` is Chinese for the caller."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def _key(secret: str, what: str) -> bytes:
    raw = secret.encode("utf-8")
    if len(raw) != 16:
        raise CryptoError(f"{what}应为 16 个字符。")
    return raw


def encrypt(plaintext: str, data_secret: str, data_secret_iv: str) -> str:
    padder = padding.PKCS7(BLOCK_BITS).padder()
    padded = padder.update(plaintext.encode("utf-8")) + padder.finalize()
    cipher = Cipher(
        algorithms.AES(_key(data_secret, "消息密钥")), modes.CBC(_key(data_secret_iv, "初始化向量"))
    )
    encryptor = cipher.encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")


def decrypt(data: str, data_secret: str, data_secret_iv: str) -> str:
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise CryptoError("Data 不是有效的 Base64 编码。") from exc
    if not raw or len(raw) % 16:
        raise CryptoError("Data 解码后的长度不是 16 字节的整数倍，无法解密。")
    cipher = Cipher(
        algorithms.AES(_key(data_secret, "消息密钥")), modes.CBC(_key(data_secret_iv, "初始化向量"))
    )
    decryptor = cipher.decryptor()
    padded = decryptor.update(raw) + decryptor.finalize()
    unpadder = padding.PKCS7(BLOCK_BITS).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise CryptoError("Data 解密失败（填充错误），请核对消息密钥和初始化向量。") from exc
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CryptoError("Data 解密后不是 UTF-8 文本，请核对消息密钥和初始化向量。") from exc


def sign(sig_secret: str, *parts) -> str:
    message = "".join(str(part) for part in parts).encode("utf-8")
    return hmac.new(sig_secret.encode("utf-8"), message, hashlib.md5).hexdigest().upper()


def verify(sig_secret: str, sig: str, *parts) -> bool:
    return hmac.compare_digest(sign(sig_secret, *parts), str(sig).upper())
