/** The CLI's settings: the config file, the environment it runs in, the server URL rules. */
package dev.keyward.cli.config;
