package dev.keyward.web.audit;

import java.util.Optional;

/**
 * The outcome of walking the chain.
 *
 * @param ok           whether every entry and the head check out
 * @param entries      how many entries were checked
 * @param headSeq      the head's sequence number (the last entry)
 * @param headHash     the head's hash: record it elsewhere to detect a rewrite of the whole chain
 * @param firstBadSeq  the first entry that fails, when not ok
 * @param problem      what is wrong with it, for a person
 */
public record VerifyResult(boolean ok, long entries, long headSeq, String headHash, Optional<Long> firstBadSeq,
        Optional<String> problem) {

    static VerifyResult good(long entries, long headSeq, String headHash) {
        return new VerifyResult(true, entries, headSeq, headHash, Optional.empty(), Optional.empty());
    }

    static VerifyResult bad(long entries, long headSeq, String headHash, long seq, String problem) {
        return new VerifyResult(false, entries, headSeq, headHash, Optional.of(seq), Optional.of(problem));
    }
}
