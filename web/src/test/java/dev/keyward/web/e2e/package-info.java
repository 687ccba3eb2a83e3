/**
 * End-to-end tests over real loopback HTTP against real OpenSSH: certificates, CA keys and KRLs fetched from a
 * running server are installed the way an operator would (TrustedUserCAKeys, HostCertificate, known_hosts
 * {@code @cert-authority}, RevokedKeys replaced by atomic rename), and {@code sshd}/{@code ssh} are the judges.
 */
package dev.keyward.web.e2e;
