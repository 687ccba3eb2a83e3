/**
 * Typed server configuration: records built from a YAML file plus {@code KEYWARD_*} environment overrides,
 * validated once at start-up with messages that name the offending key and how to fix it.
 */
package dev.keyward.web.config;
