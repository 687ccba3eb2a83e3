package dev.keyward.agent.protocol;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code POST /api/v1/hosts/enroll}: trade a one-time join token for a host credential.
 *
 * @param joinToken the token an admin got from {@code POST /api/v1/hosts}
 * @param hostname  the host's name as it sees itself (informational; the server keeps the registered one)
 * @param hostKeys  the host's public keys, one OpenSSH public-key line each
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EnrollRequest(String joinToken, String hostname, List<String> hostKeys) {
}
