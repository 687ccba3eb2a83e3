/** Safe file writes shared by the CLIs and the agent: temp file, fsync, atomic rename, fsync of the directory. */
package dev.keyward.ca.io;
