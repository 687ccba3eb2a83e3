package dev.keyward.web.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;
import java.util.TreeMap;

/** Renders entry details as canonical JSON: keys sorted at every level, no whitespace. */
public final class AuditDetails {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private AuditDetails() {
    }

    public static String canonicalJson(Map<String, ?> details) {
        try {
            return MAPPER.writeValueAsString(new TreeMap<>(details));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details are not serialisable: " + e.getOriginalMessage(), e);
        }
    }
}
