package dev.keyward.agent.protocol;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** Answer to a renewal: one OpenSSH host certificate line per requested key the server certified. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostCertResponse(List<String> hostCerts) {
}
