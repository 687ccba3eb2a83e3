package dev.keyward.agent.protocol;

import java.util.List;

/** {@code POST /api/v1/agent/usage}: a batch of events; the answer acknowledges the ids it stored. */
public record UsageBatch(List<UsageEvent> events) {
}
