package dev.keyward.web;

import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.krl.KrlSpec;
import dev.keyward.ca.krl.KrlWriter;
import dev.keyward.web.service.KrlContent;

/**
 * Encodes {@link KrlContent} with the CA core's KRL writer (PROTOCOL.krl). Key IDs are listed under each CA
 * key (not as "any CA") so that every OpenSSH version that reads KRLs honours them.
 */
final class KrlEncoding {
    private KrlEncoding() {
    }

    static byte[] encode(KrlContent c) {
        KrlSpec.Builder b = KrlSpec.builder().version(c.version()).generatedAt(c.generatedAt()).comment("keyward");
        for (KrlContent.CaSection s : c.caSections()) {
            KrlSpec.CaBuilder ca = b.ca(s.caKey());
            ca.revokeSerials(s.serials().stream().mapToLong(Long::longValue).toArray());
            s.keyIds().forEach(ca::revokeKeyId);
        }
        for (SshPublicKey k : c.revokedKeys()) {
            b.revokeKey(k);
        }
        c.fingerprints().forEach(b::revokeFingerprint);
        return KrlWriter.write(b.build());
    }
}
