package dev.keyward.agent.protocol;

import java.util.List;

/** The ids the server stored (or had stored before): the agent deletes exactly these from its spool. */
public record UsageAck(List<String> acknowledged) {
}
