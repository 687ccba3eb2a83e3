package dev.keyward.agent.protocol;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** {@code POST /api/v1/agent/host-certs}: certify (again) these host public keys, one OpenSSH line each. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostCertRequest(List<String> hostKeys) {
}
