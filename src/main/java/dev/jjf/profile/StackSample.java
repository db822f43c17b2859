package dev.jjf.profile;

/**
 * One recorded stack with its counts exactly as written (still sampled).
 *
 * @param addresses raw addresses, leaf first; all but the leaf are return addresses
 */
public record StackSample(long[] addresses, long objects, long bytes, long accumObjects, long accumBytes) {
}
