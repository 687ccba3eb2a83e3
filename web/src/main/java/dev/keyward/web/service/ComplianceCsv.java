package dev.keyward.web.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.web.service.ComplianceReport.Finding;

/**
 * The compliance report as CSV (RFC 4180): a header, then a row per finding with its stage, severity, code, subject,
 * message, requirements ({@code ; }-separated) and evidence (compact JSON), for spreadsheets and GRC tools. The
 * per-stage evidence without findings is in the JSON form only.
 */
public final class ComplianceCsv {
    static final String HEADER = "stage,severity,code,subject,message,requirements,evidence";

    private ComplianceCsv() {
    }

    public static String render(ComplianceReport report, ObjectMapper mapper) {
        StringBuilder b = new StringBuilder(HEADER).append("\r\n");
        for (Finding f : report.findings()) {
            String evidence;
            try {
                evidence = mapper.writeValueAsString(f.evidence());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot render the evidence of " + f.subject(), e);
            }
            b.append(field(f.stage())).append(',').append(field(f.severity())).append(',').append(field(f.code()))
                    .append(',').append(field(f.subject())).append(',').append(field(f.message())).append(',')
                    .append(field(String.join("; ", f.requirements()))).append(',').append(field(evidence))
                    .append("\r\n");
        }
        return b.toString();
    }

    /**
     * One field, quoted when it holds a comma, quote or line break (quotes doubled). A field starting with {@code =},
     * {@code +}, {@code -} or {@code @} gets a leading apostrophe, so that a spreadsheet does not run it as a formula
     * (subjects and evidence come partly from hosts' reports).
     */
    static String field(String s) {
        if (s == null) {
            return "";
        }
        String v = !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
            return v;
        }
        return '"' + v.replace("\"", "\"\"") + '"';
    }
}
