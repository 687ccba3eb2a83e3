/** The agent's settings ({@code agent.conf} plus flags) and the {@code --root}-aware paths of every file it touches. */
package dev.keyward.agent.config;
