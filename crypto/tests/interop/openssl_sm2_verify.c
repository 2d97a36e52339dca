/* Batch SM2 verification with OpenSSL 3's libcrypto, for the differential test
 * of the fast verification path (crypto/tests/it/fast_verify.rs).
 *
 * stdin: one case per line, "SPKI_DER_HEX MSG_HEX SIG_DER_HEX"
 * stdout: one line per case, "1" (verifies) or "0"
 * ID: 1234567812345678 (GM/T 0009); digest SM3.
 */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unhex(const char *h, unsigned char *out, size_t cap) {
    size_t n = strlen(h);
    if (n % 2 || n / 2 > cap) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned int b;
        if (sscanf(h + 2 * i, "%2x", &b) != 1) return -1;
        out[i] = (unsigned char)b;
    }
    return (int)(n / 2);
}

int main(void) {
    static char line[1 << 16];
    static unsigned char spki[512], msg[1 << 14], sig[256], last[512];
    int last_len = -1;
    EVP_PKEY *pkey = NULL;
    while (fgets(line, sizeof line, stdin)) {
        char *a = strtok(line, " \n"), *b = strtok(NULL, " \n"), *c = strtok(NULL, " \n");
        if (!a || !b || !c) { puts("0"); continue; }
        int kl = unhex(a, spki, sizeof spki), ml = unhex(b, msg, sizeof msg), sl = unhex(c, sig, sizeof sig);
        if (kl < 0 || ml < 0 || sl < 0) { puts("0"); continue; }
        if (kl != last_len || memcmp(spki, last, (size_t)kl) != 0) {
            EVP_PKEY_free(pkey);
            const unsigned char *p = spki;
            pkey = d2i_PUBKEY(NULL, &p, kl);
            memcpy(last, spki, (size_t)kl);
            last_len = kl;
        }
        int ok = 0;
        if (pkey) {
            EVP_MD_CTX *mctx = EVP_MD_CTX_new();
            EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(pkey, NULL);
            if (mctx && pctx && EVP_PKEY_CTX_set1_id(pctx, "1234567812345678", 16) > 0) {
                EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
                if (EVP_DigestVerifyInit(mctx, NULL, EVP_sm3(), NULL, pkey) == 1)
                    ok = EVP_DigestVerify(mctx, sig, (size_t)sl, msg, (size_t)ml) == 1;
            }
            EVP_MD_CTX_free(mctx);
            EVP_PKEY_CTX_free(pctx);
        }
        puts(ok ? "1" : "0");
    }
    EVP_PKEY_free(pkey);
    return 0;
}
