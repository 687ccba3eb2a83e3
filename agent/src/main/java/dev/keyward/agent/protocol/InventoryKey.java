package dev.keyward.agent.protocol;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One key line found in an authorized_keys file.
 *
 * @param account     the account the file grants access to
 * @param file        host path of the file
 * @param line        1-based line number
 * @param source      {@code user} (the account's own ~/.ssh/authorized_keys) or {@code keyward} (written by the agent)
 * @param type        key type as written ({@code ssh-ed25519}, {@code ssh-dss}, ...)
 * @param bits        key size, -1 if unknown
 * @param fingerprint {@code SHA256:...}
 * @param comment     the comment, possibly empty
 * @param options     options, each verbatim
 * @param problem     why Keyward's key policy would refuse the key (weak, unknown type), empty if none
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record InventoryKey(String account, String file, int line, String source, String type, int bits,
        String fingerprint, String comment, List<String> options, String problem) {
}
