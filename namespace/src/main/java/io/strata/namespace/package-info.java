/**
 * Strata's namespace: buckets, object versions and their metadata, listing, multipart state, the
 * durable garbage queue and the change log, behind the {@link io.strata.namespace.Namespace} seam
 * and stored in RocksDB ({@code RocksDbNamespace}). No RocksDB type appears in the public API.
 *
 * <h2>Compare-and-delete</h2>
 * Background deletes act on a record read earlier, so they must not delete a newer one: lifecycle
 * expiration uses {@link io.strata.namespace.Namespace#deleteObjectIf} and
 * {@link io.strata.namespace.Namespace#deleteVersionIf}, which check that the entry is still exactly
 * that record (and, for a version, still noncurrent or still the key's only entry) under the key's
 * lock, in the same synced write as the delete. A check and a delete made as two calls lost an
 * overwrite of the {@code null} version that landed between them.
 *
 * <h2>Change log</h2>
 * {@link io.strata.namespace.ChangeFeed} ({@link io.strata.namespace.Namespace#changeFeed()}) is the
 * ground for replication and snapshots: each mutation a client can observe (version put, delete
 * marker, version deleted, tags or ACL rewritten, data relocated between tiers, bucket created,
 * deleted, versioning or a configuration document changed; see
 * {@link io.strata.namespace.ChangeEntry}) appends an entry in its own RocksDB write batch, so the
 * entry and the mutation are durable together or not at all. Multipart uploads in progress, the
 * garbage queue and jobs are not logged. Sequences are handed out while the mutation holds its
 * locks, so they follow commit order, and readers see a sequence only after every smaller one was
 * written or abandoned. Named cursors are durable; the log is trimmed below the slowest cursor
 * (entirely when there is none) and bounded by {@link io.strata.namespace.ChangeLogLimits} (256 MiB,
 * 7 days by default). A consumer the bounds overtook gets
 * {@link io.strata.namespace.ChangeFeedException.Reason#TRIMMED} and must resynchronise; the trim
 * is logged at WARN naming the cursor. Trims run on a background thread after every 4,096 entries
 * (or when the byte bound is passed) and on {@link io.strata.namespace.ChangeFeed#trim()}, so the age
 * bound is applied at the next trim, not to the second. Cost: one more row (about 100 bytes plus
 * the key and ETag) in each commit's batch.
 *
 * <h2>Garbage marks</h2>
 * A reader of the namespace's data as of a point in time (a snapshot export, a replication worker
 * behind its cursor) takes a named, durable {@link io.strata.namespace.GarbageMark} with
 * {@link io.strata.namespace.Namespace#markGarbage} before it reads the state. Garbage ids increase
 * in commit order and the mark records the first id not yet committed when it was taken, so every
 * item at or above it belongs to a record that died after the mark; the garbage queue hands out only
 * the items below the oldest open mark, until it is released. The cleaner's API does not change: it
 * simply gets fewer items. Taking a mark and a cleaner's poll are serialised by one lock, so a poll
 * never hands out an item committed after a mark it did not see. An abandoned mark makes the queue
 * and the drives grow without bound: marks carry the time they were taken.
 *
 * <h2>Work queues</h2>
 * Durable work is typed: each {@link io.strata.namespace.WorkItem} has a kind (its queue, named by
 * its owner, e.g. {@code tier.to-cold}), a time it is due, the failed attempts so far and the last
 * error. A retry is a compare-and-set on the whole item, so two workers holding the same item
 * cannot both record an attempt. Ids are unique across kinds and never reused: they come from a
 * lease persisted in {@code meta} before any id below it is handed out, as garbage ids do. (The
 * untyped queue this replaces recovered its next id from its highest row, so after its newest jobs
 * were removed a restart handed their ids out again, and a stale id could finish someone else's
 * job.) Opening a namespace that still has untyped jobs moves them to kind
 * {@link io.strata.namespace.WorkItem#UNTYPED}, ids kept.
 *
 * <h2>Bulk jobs</h2>
 * A {@link io.strata.namespace.BulkJob} is "do this action to every version under bucket/prefix":
 * its ListObjectVersions place, its counters (done, skipped, failed, bytes), the expected total for
 * progress, and its state (running, done, cancelled, failed) live in one record.
 * {@link io.strata.namespace.BulkJobRunner} applies the action to a page of versions, then records
 * the page's place and counters together with a compare-and-set on the record; a crash redoes only
 * the page in flight (the action is idempotent) and counts it once, so a job resumed after
 * {@code kill -9} ends with exact counters. A cancel makes the runner's next record fail, and it
 * stops there. Job ids come from the work queues' lease: never reused.
 */
package io.strata.namespace;
