package dev.keyward.agent.protocol;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Answer to an enrollment.
 *
 * @param hostId     the server's id for this host
 * @param credential the host's bearer credential for {@code /api/v1/agent/*}; shown once, stored hashed
 * @param hostCerts  one OpenSSH host certificate line per host key the server certified
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EnrollResponse(String hostId, String credential, List<String> hostCerts) {
}
