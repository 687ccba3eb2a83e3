package dev.keyward.web.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The PostgreSQL database. Without a URL the server runs an embedded PostgreSQL under {@code $KEYWARD_HOME/pgdata}.
 *
 * @param url          {@code database.url}, a {@code jdbc:postgresql://} URL; empty means embedded
 * @param user         {@code database.user}
 * @param passwordFile {@code database.password_file}: the password is read from this file, never from the
 *                     config itself or the command line
 * @param poolSize     {@code database.pool_size}, connections per server process
 */
public record DatabaseConfig(Optional<String> url, String user, Optional<Path> passwordFile, int poolSize) {
    public DatabaseConfig {
        if (url.isPresent() && !url.get().startsWith("jdbc:postgresql:")) {
            throw new ConfigException("database.url must be a jdbc:postgresql://host:port/db URL, got '"
                    + abbreviate(url.get()) + "'");
        }
        if (poolSize < 1 || poolSize > 500) {
            throw new ConfigException("database.pool_size must be between 1 and 500, got " + poolSize);
        }
        if (url.isPresent() && (user == null || user.isBlank())) {
            throw new ConfigException("database.user is required with database.url (or set KEYWARD_DB_USER)");
        }
    }

    public boolean embedded() {
        return url.isEmpty();
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
