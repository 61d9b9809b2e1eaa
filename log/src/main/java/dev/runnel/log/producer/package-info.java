/**
 * Idempotent and transactional producer state of one partition: sequence and epoch checks before an
 * append, duplicate detection against the last five batches of each producer, ongoing transactions for
 * the last stable offset, producer id expiry, and Kafka-compatible {@code .snapshot} files.
 *
 * <p>Everything here is owned by the partition's single writer thread (its "partition lane"); nothing
 * is thread-safe, nothing blocks, and no {@code ByteBuf} is retained.
 */
package dev.runnel.log.producer;
