/** End-to-end tests against a real OpenSSH sshd and ssh client: the oracle for certificates, host certs and KRLs. */
package dev.keyward.ca.e2e;
