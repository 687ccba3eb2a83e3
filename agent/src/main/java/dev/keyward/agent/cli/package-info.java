/** The {@code keyward-agent} command line: enroll, once, run, status. */
package dev.keyward.agent.cli;
