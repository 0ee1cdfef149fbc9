"""The AES sample: encrypts the request body (default: a 600-byte text, as in vSwarm's AES
benchmark) with AES-128 in CTR mode and answers with the ciphertext in hex."""
import aes

KEY = b"junction-aes-key"
DEFAULT = (b"The quick brown fox jumps over the lazy dog. " * 14)[:600]


def handle(event, context):
    plaintext = event.body or DEFAULT
    return {"statusCode": 200, "body": aes.ctr_encrypt(KEY, plaintext).hex() + "\n"}
