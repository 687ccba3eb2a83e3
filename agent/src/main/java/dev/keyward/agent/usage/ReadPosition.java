package dev.keyward.agent.usage;

/**
 * Where the follower stopped: the file's identity and the offset of the first byte not yet consumed (the start
 * of a line). {@code generation} rises on each truncation, so event ids from before and after one differ.
 *
 * @param dev        device of the file
 * @param ino        inode of the file
 * @param offset     bytes consumed
 * @param generation truncations seen for this inode
 */
public record ReadPosition(long dev, long ino, long offset, long generation) {
}
