package dev.keyward.ca.krl;

/**
 * A non-critical extension found in a parsed KRL: a top-level KRL_SECTION_EXTENSION (PROTOCOL.krl section 5)
 * or a KRL_SECTION_CERT_EXTENSION inside a certificates section (2.5). Critical extensions are rejected when
 * parsing, as OpenSSH does, since none are defined.
 */
public record KrlExtension(String name, boolean inCertificatesSection, byte[] contents) {
    public KrlExtension {
        contents = contents.clone();
    }

    @Override
    public byte[] contents() {
        return contents.clone();
    }
}
