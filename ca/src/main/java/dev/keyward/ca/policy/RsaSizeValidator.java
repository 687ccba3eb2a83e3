package dev.keyward.ca.policy;

import dev.keyward.ca.key.KeyType;
import dev.keyward.ca.key.SshPublicKey;

/** Refuses an RSA key with a modulus shorter than the rule's {@code min_rsa_bits}. Other key types pass. */
final class RsaSizeValidator implements PolicyStep {
    @Override
    public void apply(PolicyContext ctx, DecisionDraft draft) {
        SshPublicKey key = ctx.request().publicKey();
        int min = ctx.rule().minRsaBits();
        if (key.type() == KeyType.RSA && key.bits() < min) {
            throw new PolicyViolationException(ctx.rule().rule("min_rsa_bits"), "the RSA key has " + key.bits()
                    + " bits but at least " + min + " are required; generate a new key with"
                    + " 'ssh-keygen -t ed25519' (or 'ssh-keygen -t rsa -b " + Math.max(min, 3072) + "')");
        }
    }
}
