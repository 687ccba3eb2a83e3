/** Every key in every account's authorized_keys and in the keyward directory, hashed so it is sent only on change. */
package dev.keyward.agent.inventory;
