/** Local accounts and their homes, read from {@code <root>/etc/passwd}. */
package dev.keyward.agent.accounts;
