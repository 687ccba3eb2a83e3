/**
 * authorized_keys lines as they are found on hosts: parsed leniently (weak and unknown key types still get a
 * fingerprint, so they can be inventoried and purged), with every byte of the original line kept.
 */
package dev.keyward.agent.keys;
