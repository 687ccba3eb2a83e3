package dev.keyward.web.backup;

import java.util.List;

/** Session settings under which tables are dumped and loaded, so that values round-trip exactly as text. */
final class BackupFormat {
    static final List<String> SESSION = List.of("SET LOCAL TIME ZONE 'UTC'", "SET LOCAL datestyle = 'ISO, YMD'",
            "SET LOCAL intervalstyle = 'iso_8601'", "SET LOCAL extra_float_digits = 3",
            "SET LOCAL bytea_output = 'hex'");

    private BackupFormat() {
    }
}
