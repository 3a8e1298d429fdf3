//! Client-side partition assignors of the classic consumer-group protocol (kafka-reference.md section 2):
//! `range`, `roundrobin`, `sticky` and `cooperative-sticky`, plus the two protocol choices around them (the
//! rebalance protocol a consumer derives from its configured strategies, and the strategy the group
//! coordinator picks by vote).
//!
//! Pure functions over plain data, independent of the rest of the sim. Deterministic: only ordered
//! collections are iterated. Where Kafka iterates a `java.util.HashMap` and the order changes the result,
//! the JDK's iteration order is reproduced by [`jdk_hash_map_order`] rather than guessed.
//!
//! What is exact and what is simplified:
//! * `range`, `roundrobin`, member ordering, protocol selection: exact (non-rack paths).
//! * `sticky` / `cooperative-sticky` with identical subscriptions: Kafka's `ConstrainedAssignmentBuilder`,
//!   step by step, including the `partitionsTransferringOwnership` bookkeeping.
//! * `sticky` / `cooperative-sticky` with different subscriptions: Kafka's `GeneralAssignmentBuilder`,
//!   step by step (see `general_assign`), including its `PartitionMovements` bookkeeping.
//! * Rack awareness (`client.rack`) is not modelled.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

/// A topic partition: (topic name, partition number).
pub type TopicPartition = (String, u32);

/// The result of an assignor: member id → assigned partitions. Every member of the input appears, possibly
/// with an empty list. The order inside a list carries no meaning (Kafka's does not either); compare as sets.
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// Partitions held back by the cooperative assignor: partition → the member that will get it in the
/// follow-up rebalance, once its current owner has revoked it.
pub type Transferring = BTreeMap<TopicPartition, String>;

/// `AbstractStickyAssignor.DEFAULT_GENERATION`: the generation of a member that has never been assigned.
pub const DEFAULT_GENERATION: i32 = -1;

/// One group member's subscription as the group leader sees it (`ConsumerPartitionAssignor.Subscription`
/// together with the member id and `group.instance.id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberSub {
    /// e.g. "consumer1", or the real form `clientId-<uuid>`.
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub group_instance_id: Option<String>,
    /// Subscribed topic names. Topics that do not exist are ignored (but still count when the sticky
    /// assignors compare subscriptions, as in Kafka).
    pub topics: Vec<String>,
    /// Partitions the member owned before this rebalance (sticky assignors only).
    pub owned: Vec<TopicPartition>,
    /// Generation in which `owned` was assigned ([`DEFAULT_GENERATION`] if none). Used to settle two
    /// members claiming the same partition.
    pub generation: i32,
}

impl MemberSub {
    /// A dynamic member with no previous ownership.
    pub fn new(member_id: &str, topics: &[&str]) -> Self {
        MemberSub {
            member_id: member_id.to_string(),
            group_instance_id: None,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            owned: Vec::new(),
            generation: DEFAULT_GENERATION,
        }
    }

    /// Makes the member static, with the given `group.instance.id`.
    pub fn with_instance_id(mut self, instance_id: &str) -> Self {
        self.group_instance_id = Some(instance_id.to_string());
        self
    }

    /// Sets the previously owned partitions and their generation.
    pub fn with_owned(mut self, owned: &[(&str, u32)], generation: i32) -> Self {
        self.owned = owned.iter().map(|(t, p)| (t.to_string(), *p)).collect();
        self.generation = generation;
        self
    }

    /// Whether the member subscribes to `topic`.
    pub fn subscribes(&self, topic: &str) -> bool {
        self.topics.iter().any(|t| t == topic)
    }
}

/// `ConsumerPartitionAssignor.RebalanceProtocol`. Declared in Kafka's order, so `Ord` matches the Java
/// enum's ordinal (EAGER < COOPERATIVE), which is what "highest common protocol" compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum RebalanceProtocol {
    /// Revoke everything before every rebalance.
    Eager,
    /// KIP-429: keep partitions during the rebalance; revoke only `owned − assigned`, then rejoin.
    Cooperative,
}

impl RebalanceProtocol {
    /// The Java enum constant's name.
    pub fn name(self) -> &'static str {
        match self {
            RebalanceProtocol::Eager => "EAGER",
            RebalanceProtocol::Cooperative => "COOPERATIVE",
        }
    }
}

impl fmt::Display for RebalanceProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The built-in assignors, named by their protocol names (`ConsumerPartitionAssignor.name()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Strategy {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

/// The client default for `partition.assignment.strategy` (`ConsumerConfig.java`).
pub const DEFAULT_STRATEGIES: [Strategy; 2] = [Strategy::Range, Strategy::CooperativeSticky];

impl Strategy {
    pub const ALL: [Strategy; 4] =
        [Strategy::Range, Strategy::RoundRobin, Strategy::Sticky, Strategy::CooperativeSticky];

    /// The protocol name sent in JoinGroup: "range", "roundrobin", "sticky", "cooperative-sticky".
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Range => "range",
            Strategy::RoundRobin => "roundrobin",
            Strategy::Sticky => "sticky",
            Strategy::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// The fully qualified Java class name, as written in `partition.assignment.strategy`.
    pub fn class_name(self) -> &'static str {
        match self {
            Strategy::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
            Strategy::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            Strategy::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
            Strategy::CooperativeSticky => "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        }
    }

    /// Parses a protocol name ("range"), a simple class name ("RangeAssignor") or a fully qualified class
    /// name. Exact spelling, as Kafka's lookups are case-sensitive.
    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| {
            let class = s.class_name();
            let simple = class.rsplit('.').next().unwrap_or(class);
            name == s.name() || name == class || name == simple
        })
    }

    /// `ConsumerPartitionAssignor.supportedProtocols()`: only `CooperativeStickyAssignor` overrides the
    /// default `[EAGER]`, with `[COOPERATIVE, EAGER]`.
    pub fn supported_protocols(self) -> &'static [RebalanceProtocol] {
        match self {
            Strategy::CooperativeSticky => &[RebalanceProtocol::Cooperative, RebalanceProtocol::Eager],
            _ => &[RebalanceProtocol::Eager],
        }
    }

    /// Whether the assignor supports the COOPERATIVE rebalance protocol.
    pub fn supports_cooperative(self) -> bool {
        self.supported_protocols().contains(&RebalanceProtocol::Cooperative)
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The rebalance protocol of a consumer with the given `partition.assignment.strategy` list, as the
/// `ConsumerCoordinator` constructor computes it: the highest protocol that every configured assignor
/// supports. So EAGER unless every listed strategy is `cooperative-sticky`; the default list gives EAGER.
/// `None` for an empty list (Kafka's coordinator then has no protocol; `KafkaConsumer` rejects that
/// configuration when a group is used).
pub fn rebalance_protocol(configured: &[Strategy]) -> Option<RebalanceProtocol> {
    let first = configured.first()?;
    let mut common: Vec<RebalanceProtocol> = first.supported_protocols().to_vec();
    for s in configured {
        common.retain(|p| s.supported_protocols().contains(p));
    }
    common.into_iter().max()
}

/// The group coordinator's choice of assignor, `ClassicGroup.selectProtocol`: the candidates are the
/// strategies every member lists; each member votes for the first of its own list that is a candidate;
/// the candidate with the most votes wins.
///
/// Ties: Kafka takes the maximum over a `HashMap<String, Integer>` of votes with `Stream.max`, which keeps
/// the first maximum met in iteration order. That order is reproduced with [`jdk_hash_map_order`]: for
/// the built-in names it is `sticky`, `range`, `roundrobin`, `cooperative-sticky` (buckets 8, 9, 10, 15),
/// so e.g. a 1–1 tie between `range` and `cooperative-sticky` goes to `range`.
///
/// `member_strategies` holds each member's configured list, in preference order; repeated entries in one
/// list count once. `None` if there are no members or no strategy common to all (the coordinator rejects
/// such a member at JoinGroup with INCONSISTENT_GROUP_PROTOCOL, so a real group never gets here).
pub fn select_group_strategy(member_strategies: &[Vec<Strategy>]) -> Option<Strategy> {
    if member_strategies.is_empty() {
        return None;
    }
    // ClassicGroup.candidateProtocols: supported by every member.
    let candidates: BTreeSet<Strategy> =
        Strategy::ALL.into_iter().filter(|s| member_strategies.iter().all(|list| list.contains(s))).collect();
    // ClassicGroupMember.vote, counted in a map that remembers insertion order (for same-bucket ties).
    let mut votes: Vec<(Strategy, usize)> = Vec::new();
    for list in member_strategies {
        let vote = list.iter().copied().find(|s| candidates.contains(s))?;
        match votes.iter_mut().find(|(s, _)| *s == vote) {
            Some((_, n)) => *n += 1,
            None => votes.push((vote, 1)),
        }
    }
    let names: Vec<&str> = votes.iter().map(|(s, _)| s.name()).collect();
    let mut best: Option<(Strategy, usize)> = None;
    for name in jdk_hash_map_order(&names) {
        let (s, n) = *votes.iter().find(|(s, _)| s.name() == name).expect("names come from votes");
        // BinaryOperator.maxBy keeps the earlier element on a tie.
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((s, n));
        }
    }
    best.map(|(s, _)| s)
}

/// Java `String.compareTo`: lexicographic over UTF-16 code units (so `"consumer-10" < "consumer-2"`, and
/// characters above U+FFFF sort before U+E000..U+FFFF, unlike Rust's `str` order).
pub fn java_string_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

pub use crate::murmur::java_string_hash;

/// The iteration order of a `java.util.HashMap<String, _>` created with `new HashMap<>()` after `keys` were
/// put in this order (keys assumed distinct).
///
/// The table starts at 16 buckets and doubles whenever the size exceeds 0.75 × capacity; a key lives in
/// bucket `(h ^ (h >>> 16)) & (capacity - 1)` with `h = hashCode()`; iteration walks the buckets in index
/// order, and within a bucket follows insertion order (resizing splits a bucket preserving relative order).
/// Not modelled: treeified buckets (8+ keys colliding in one bucket), which this module never produces in
/// practice. For `consumer1..consumerN` (N ≤ 12) the hashes are consecutive and the order is reversed:
/// `consumer3, consumer2, consumer1`, as kafka-reference.md section 2.3 says.
pub fn jdk_hash_map_order<'a>(keys: &[&'a str]) -> Vec<&'a str> {
    jdk_hash_order(keys, |k| java_string_hash(k))
}

/// The iteration order of a `java.util.HashMap` (or `HashSet`) created with `new HashMap<>()` (or
/// by `Collectors.toMap`/`toSet`) after `keys` were put in this order, given each key's
/// `hashCode()`. See [`jdk_hash_map_order`].
pub fn jdk_hash_order<T: Clone>(keys: &[T], hash: impl Fn(&T) -> i32) -> Vec<T> {
    jdk_hash_order_with(keys, hash, 16)
}

/// As [`jdk_hash_order`], for a map created with `new HashMap<>(initial)` (its table starts at the
/// next power of two, as `HashMap.tableSizeFor` computes).
pub fn jdk_hash_order_sized<T: Clone>(keys: &[T], hash: impl Fn(&T) -> i32, initial: usize) -> Vec<T> {
    jdk_hash_order_with(keys, hash, initial.max(1).next_power_of_two())
}

fn jdk_hash_order_with<T: Clone>(keys: &[T], hash: impl Fn(&T) -> i32, start: usize) -> Vec<T> {
    let mut capacity = start;
    // The table doubles whenever the size passes 0.75 of the capacity.
    while keys.len() > capacity * 3 / 4 {
        capacity *= 2;
    }
    let bucket = |k: &T| {
        let h = hash(k) as u32;
        ((h ^ (h >> 16)) as usize) & (capacity - 1)
    };
    let mut keyed: Vec<(usize, T)> = keys.iter().map(|k| (bucket(k), k.clone())).collect();
    crate::sort::sort_by_key(&mut keyed, |(b, _)| *b); // stable: same bucket keeps insertion order
    keyed.into_iter().map(|(_, k)| k).collect()
}

/// `TopicPartition.hashCode()`: `31 * (31 + partition) + topic.hashCode()`.
pub fn topic_partition_hash(topic: &str, partition: u32) -> i32 {
    31i32.wrapping_mul(31i32.wrapping_add(partition as i32)).wrapping_add(java_string_hash(topic))
}

/// `AbstractPartitionAssignor.MemberInfo.compareTo` (section 2.0): static members (with a
/// `group.instance.id`) first, ordered by instance id; then dynamic members ordered by member id; both with
/// Java `String.compareTo`. Two static members with the same instance id (which the coordinator never
/// allows) fall back to member id so the order never depends on the input order.
pub fn compare_members(a: &MemberSub, b: &MemberSub) -> Ordering {
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => java_string_cmp(x, y).then_with(|| java_string_cmp(&a.member_id, &b.member_id)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => java_string_cmp(&a.member_id, &b.member_id),
    }
}

/// Members in the order Range and RoundRobin hand out partitions ([`compare_members`]).
pub fn sort_members(members: &[MemberSub]) -> Vec<&MemberSub> {
    let mut sorted: Vec<&MemberSub> = members.iter().collect();
    crate::sort::sort_by(&mut sorted, |a, b| compare_members(a, b));
    sorted
}

/// Runs the given assignor. `partitions_per_topic` may list topics nobody subscribes to (they are left
/// out, as Kafka only passes subscribed topics to the assignor); subscribed topics missing from it are
/// ignored. Member ids are unique in a group; if one repeats here, its first entry is used.
///
/// For `CooperativeSticky` this is the adjusted assignment (partitions changing hands held back); see
/// [`cooperative_assign`] for the held-back partitions too.
pub fn assign(strategy: Strategy, partitions_per_topic: &BTreeMap<String, u32>, members: &[MemberSub]) -> Assignment {
    match strategy {
        Strategy::Range => range_assign(partitions_per_topic, members),
        Strategy::RoundRobin => round_robin_assign(partitions_per_topic, members),
        Strategy::Sticky => sticky_assign(partitions_per_topic, members),
        Strategy::CooperativeSticky => cooperative_assign(partitions_per_topic, members).0,
    }
}

/// `RangeAssignor.assign` (non-rack path, section 2.1): per topic, the subscribed members in
/// [`compare_members`] order each get a consecutive range; the first `N % C` get one extra.
pub fn range_assign(partitions_per_topic: &BTreeMap<String, u32>, members: &[MemberSub]) -> Assignment {
    let members = unique_members(members);
    let partitions_per_topic = subscribed_topics(partitions_per_topic, &members);
    let mut assignment = empty_assignment(&members);
    let mut sorted = members.clone();
    crate::sort::sort_by(&mut sorted, |a, b| compare_members(a, b));
    for (topic, &n) in &partitions_per_topic {
        let consumers: Vec<&MemberSub> = sorted.iter().copied().filter(|m| m.subscribes(topic)).collect();
        if consumers.is_empty() {
            continue;
        }
        let c = consumers.len() as u32;
        let (per, extra) = (n / c, n % c);
        let mut next = 0;
        for (i, m) in consumers.iter().enumerate() {
            let len = per + u32::from((i as u32) < extra);
            push_all(&mut assignment, &m.member_id, (next..next + len).map(|p| (topic.clone(), p)));
            next += len;
        }
    }
    assignment
}

/// `RoundRobinAssignor.assign` (section 2.2): one circular iterator over all members in
/// [`compare_members`] order; topics in `TreeSet` (Java string) order; partitions in numeric order; each
/// partition goes to the next member at the cursor that subscribes to its topic. The cursor is never reset.
pub fn round_robin_assign(partitions_per_topic: &BTreeMap<String, u32>, members: &[MemberSub]) -> Assignment {
    let members = unique_members(members);
    let partitions_per_topic = subscribed_topics(partitions_per_topic, &members);
    let mut assignment = empty_assignment(&members);
    let mut sorted = members.clone();
    crate::sort::sort_by(&mut sorted, |a, b| compare_members(a, b));
    let mut topics: Vec<&String> = partitions_per_topic.keys().collect();
    crate::sort::sort_by(&mut topics, |a, b| java_string_cmp(a, b));
    let mut cursor = 0;
    for topic in topics {
        for p in 0..partitions_per_topic[topic] {
            // Terminates: `subscribed_topics` kept only topics some member subscribes to.
            while !sorted[cursor].subscribes(topic) {
                cursor = (cursor + 1) % sorted.len();
            }
            push_all(&mut assignment, &sorted[cursor].member_id, [(topic.clone(), p)]);
            cursor = (cursor + 1) % sorted.len();
        }
    }
    assignment
}

/// `StickyAssignor` (eager): `AbstractStickyAssignor.assignPartitions` without the cooperative
/// adjustment. Previous ownership comes from `owned` and `generation` (Kafka's eager assignor decodes the
/// same two facts from the subscription userData).
pub fn sticky_assign(partitions_per_topic: &BTreeMap<String, u32>, members: &[MemberSub]) -> Assignment {
    sticky_with_transfers(partitions_per_topic, members).0
}

/// `CooperativeStickyAssignor.assignPartitions`: the sticky assignment, then every partition changing
/// hands between two members still in the group is removed from its new owner (`adjustAssignment`) and
/// returned in the second map with that new owner. The old owner sees it missing from its assignment,
/// revokes it and rejoins; the follow-up rebalance gives it to the new owner. Partitions whose previous
/// owner left the group are not held back.
///
/// The held-back set is `partitionsTransferringOwnership` as `ConstrainedAssignmentBuilder` records it
/// (identical subscriptions), or as `computePartitionsTransferringOwnership` derives it otherwise: assigned
/// to a member that did not own it, and owned by a member that is no longer assigned it.
pub fn cooperative_assign(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSub],
) -> (Assignment, Transferring) {
    let (mut assignment, recorded) = sticky_with_transfers(partitions_per_topic, members);
    let transferring = match recorded {
        Some(t) => t,
        None => compute_transferring(&unique_members(members), &assignment),
    };
    for (tp, new_owner) in &transferring {
        if let Some(list) = assignment.get_mut(new_owner) {
            list.retain(|x| x != tp);
        }
    }
    (assignment, transferring)
}

/// `AbstractStickyAssignor.assignPartitions`: validates previous ownership (`allSubscriptionsEqual`), then
/// runs `ConstrainedAssignmentBuilder` when all subscriptions are identical (returning the transfers it
/// recorded) or the general builder otherwise (returning `None`, like Kafka's `null`).
fn sticky_with_transfers(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSub],
) -> (Assignment, Option<Transferring>) {
    let members = unique_members(members);
    let partitions_per_topic = subscribed_topics(partitions_per_topic, &members);
    if members.is_empty() {
        return (Assignment::new(), Some(Transferring::new()));
    }
    // Kafka iterates `subscriptions` and `consumerToOwnedPartitions`, both HashMaps keyed by member id.
    let ids: Vec<&str> = members.iter().map(|m| m.member_id.as_str()).collect();
    let order = jdk_hash_map_order(&ids);
    let by_id: BTreeMap<&str, &MemberSub> = members.iter().map(|m| (m.member_id.as_str(), *m)).collect();
    let valid = validate_owned(&partitions_per_topic, &order, &by_id);
    // Subscriptions compared as sets, non-existent topics included, as Kafka does.
    let first: BTreeSet<&str> = members[0].topics.iter().map(String::as_str).collect();
    let all_equal = members.iter().all(|m| m.topics.iter().map(String::as_str).collect::<BTreeSet<_>>() == first);
    if all_equal {
        let (assignment, transferring) = constrained_assign(&partitions_per_topic, &order, &valid);
        (assignment, Some(transferring))
    } else {
        (general_assign(&partitions_per_topic, &members, &valid.owned), None)
    }
}

/// Previously owned partitions that survive validation (`AbstractStickyAssignor.allSubscriptionsEqual`).
struct ValidOwnership<'a> {
    /// member id → its still-valid owned partitions, in claim order.
    owned: BTreeMap<&'a str, Vec<TopicPartition>>,
    /// Partitions claimed by two members of the same generation: dropped from both.
    multiple_owners: BTreeSet<TopicPartition>,
}

/// The ownership part of `allSubscriptionsEqual`, members taken in `order` (JDK HashMap order). A claim
/// counts if its topic is still assigned; on a second claim of the same partition, equal generations drop
/// it from both claimants, otherwise the higher generation keeps it. One addition to Kafka: a claim on a
/// partition number the topic no longer has is ignored (Kafka checks only the topic).
fn validate_owned<'a>(
    partitions_per_topic: &BTreeMap<String, u32>,
    order: &[&'a str],
    by_id: &BTreeMap<&'a str, &'a MemberSub>,
) -> ValidOwnership<'a> {
    let mut owned: BTreeMap<&str, Vec<TopicPartition>> = BTreeMap::new();
    let mut multiple_owners = BTreeSet::new();
    let mut previous_owner: BTreeMap<TopicPartition, &str> = BTreeMap::new();
    for &id in order {
        let member = by_id[id];
        owned.insert(id, Vec::new());
        for tp in &member.owned {
            if partitions_per_topic.get(&tp.0).is_none_or(|&n| tp.1 >= n) {
                continue;
            }
            match previous_owner.get(tp).copied() {
                None => {
                    owned.get_mut(id).expect("inserted above").push(tp.clone());
                    previous_owner.insert(tp.clone(), id);
                }
                Some(other) => {
                    let other_generation = by_id[other].generation;
                    if member.generation == other_generation {
                        multiple_owners.insert(tp.clone());
                        owned.get_mut(other).expect("earlier member").retain(|x| x != tp);
                        previous_owner.insert(tp.clone(), id);
                    } else if member.generation > other_generation {
                        owned.get_mut(id).expect("inserted above").push(tp.clone());
                        owned.get_mut(other).expect("earlier member").retain(|x| x != tp);
                        previous_owner.insert(tp.clone(), id);
                    }
                }
            }
        }
    }
    ValidOwnership { owned, multiple_owners }
}

/// `AbstractStickyAssignor.ConstrainedAssignmentBuilder.build` (non-rack), for identical subscriptions.
///
/// 1. `minQuota = P / C`, `maxQuota = ceil(P / C)`, `expectedNumMembersWithOverMinQuota = P % C`.
/// 2. `assignOwnedPartitions`: members in `order`, which is Kafka's `java.util.HashMap` iteration order of
///    member ids, reproduced by [`jdk_hash_map_order`] (for `consumer1..consumerN` it is
///    `consumerN, ..., consumer1`, which is what makes Kafka's tests give `maxQuota` to the members they
///    expect). Each member takes its valid owned partitions sorted by (partition, topic): fewer than
///    `minQuota` → keeps all and is "unfilled"; `maxQuota` or more while fewer than
///    `expectedNumMembersWithOverMinQuota` members are over `minQuota` → keeps `maxQuota`; otherwise keeps
///    `minQuota` and may get one more later. Whatever it does not keep is revoked.
/// 3. `assignRoundRobin`: unassigned partitions by (topic, partition) go round-robin to the unfilled
///    members sorted by id until they reach `minQuota`, then one each to the members at exactly `minQuota`
///    (also sorted by id, queued in the order they got there).
///
/// A partition that was revoked from a member, or claimed by two members of the same generation, and is
/// handed out here is recorded as transferring to its new owner.
fn constrained_assign(
    partitions_per_topic: &BTreeMap<String, u32>,
    order: &[&str],
    valid: &ValidOwnership<'_>,
) -> (Assignment, Transferring) {
    let total: usize = partitions_per_topic.values().map(|&n| n as usize).sum();
    let members = order.len();
    let min_quota = total / members;
    let max_quota = total.div_ceil(members);
    let expected_over_min = total % members;
    let mut current_over_min = 0;

    let mut assignment: Assignment = order.iter().map(|id| (id.to_string(), Vec::new())).collect();
    let mut assigned: BTreeSet<TopicPartition> = BTreeSet::new();
    let mut revoked: BTreeSet<TopicPartition> = BTreeSet::new();
    let mut transferring = Transferring::new();
    // unfilledMembersWithUnderMinQuotaPartitions and unfilledMembersWithExactlyMinQuotaPartitions.
    let mut under_min: Vec<&str> = Vec::new();
    let mut exactly_min: VecDeque<&str> = VecDeque::new();

    // Step 2: assignOwnedPartitions.
    for &id in order {
        let mut owned: Vec<TopicPartition> = valid.owned.get(id).cloned().unwrap_or_default();
        crate::sort::sort_by(&mut owned, |a, b| a.1.cmp(&b.1).then_with(|| java_string_cmp(&a.0, &b.0)));
        owned.retain(|tp| !valid.multiple_owners.contains(tp));
        let keep = if owned.len() < min_quota {
            under_min.push(id);
            owned.len()
        } else if owned.len() >= max_quota && current_over_min < expected_over_min {
            current_over_min += 1;
            if current_over_min == expected_over_min {
                exactly_min.clear();
            }
            max_quota
        } else {
            if current_over_min < expected_over_min {
                exactly_min.push_back(id);
            }
            min_quota
        };
        let list = assignment.get_mut(id).expect("every member has an entry");
        for tp in owned.drain(..keep) {
            assigned.insert(tp.clone());
            list.push(tp);
        }
        revoked.extend(owned);
    }

    let mut topics: Vec<&String> = partitions_per_topic.keys().collect();
    crate::sort::sort_by(&mut topics, |a, b| java_string_cmp(a, b));
    let unassigned: Vec<TopicPartition> = topics
        .into_iter()
        .flat_map(|t| (0..partitions_per_topic[t]).map(move |p| (t.clone(), p)))
        .filter(|tp| !assigned.contains(tp))
        .collect();
    crate::sort::sort_by(&mut under_min, |a, b| java_string_cmp(a, b));
    crate::sort::sort_by(exactly_min.make_contiguous(), |a, b| java_string_cmp(a, b));

    // Step 3: assignRoundRobin. `next` plays the Java iterator over `under_min` (index of its next element).
    let mut next = 0;
    for tp in unassigned {
        let (consumer, from_under) = if next < under_min.len() {
            next += 1;
            (under_min[next - 1], true)
        } else if under_min.is_empty() {
            // Room is guaranteed: after step 2 the partitions left equal the under-minQuota members' deficit
            // plus (expected − current) over-minQuota slots, and the queue holds every member that can
            // still take one of those slots.
            let c = exactly_min.pop_front().expect("a member at minQuota has room while partitions remain");
            (c, false)
        } else {
            next = 1;
            (under_min[0], true)
        };
        let list = assignment.get_mut(consumer).expect("every member has an entry");
        list.push(tp.clone());
        let count = list.len();
        if revoked.contains(&tp) || valid.multiple_owners.contains(&tp) {
            transferring.insert(tp, consumer.to_string());
        }
        if count == min_quota && from_under {
            next -= 1;
            under_min.remove(next);
            exactly_min.push_back(consumer);
        } else if count == max_quota {
            current_over_min += 1;
        }
    }
    // verifyUnfilledMembers: a member still short of minQuota is a bug in the steps above.
    debug_assert!(under_min.is_empty() || current_over_min == expected_over_min);
    debug_assert!(assignment.values().all(|l| l.len() >= min_quota && l.len() <= max_quota));
    (assignment, transferring)
}

/// A `java.util.HashSet<TopicPartition>` as far as [`general_assign`] needs it: which element its
/// iterator returns first. Elements live in buckets of a table that doubles past 0.75 of its
/// capacity and never shrinks; iteration walks the buckets in order, each bucket in insertion order.
#[derive(Clone, Debug, Default)]
struct JavaHashSet {
    items: Vec<(u64, TopicPartition)>,
    capacity: usize,
    next_seq: u64,
}

impl JavaHashSet {
    fn insert(&mut self, tp: TopicPartition) {
        if self.items.iter().any(|(_, x)| *x == tp) {
            return;
        }
        if self.capacity == 0 {
            self.capacity = 16;
        }
        self.items.push((self.next_seq, tp));
        self.next_seq += 1;
        while self.items.len() > self.capacity * 3 / 4 {
            self.capacity *= 2;
        }
    }

    fn remove(&mut self, tp: &TopicPartition) {
        self.items.retain(|(_, x)| x != tp);
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `iterator().next()`.
    fn first(&self) -> Option<TopicPartition> {
        let bucket = |tp: &TopicPartition| {
            let h = topic_partition_hash(&tp.0, tp.1) as u32;
            ((h ^ (h >> 16)) as usize) & (self.capacity - 1)
        };
        self.items.iter().min_by_key(|(seq, tp)| (bucket(tp), *seq)).map(|(_, tp)| tp.clone())
    }
}

/// `AbstractStickyAssignor.PartitionMovements`: where each partition moved during this
/// assignment (from its first owner to its current one), so a partition can move back along the
/// reverse of an earlier move instead of a second partition changing hands.
#[derive(Default)]
struct PartitionMovements {
    by_topic: BTreeMap<String, BTreeMap<(String, String), JavaHashSet>>,
    moves: BTreeMap<TopicPartition, (String, String)>,
}

impl PartitionMovements {
    fn remove_record(&mut self, tp: &TopicPartition) -> (String, String) {
        let pair = self.moves.remove(tp).expect("a recorded movement");
        let topic = self.by_topic.get_mut(&tp.0).expect("recorded by topic");
        let set = topic.get_mut(&pair).expect("recorded by pair");
        set.remove(tp);
        if set.is_empty() {
            topic.remove(&pair);
        }
        if topic.is_empty() {
            self.by_topic.remove(&tp.0);
        }
        pair
    }

    fn add_record(&mut self, tp: &TopicPartition, pair: (String, String)) {
        self.moves.insert(tp.clone(), pair.clone());
        self.by_topic.entry(tp.0.clone()).or_default().entry(pair).or_default().insert(tp.clone());
    }

    fn move_partition(&mut self, tp: &TopicPartition, old: &str, new: &str) {
        if self.moves.contains_key(tp) {
            let (src, _) = self.remove_record(tp);
            if src != new {
                self.add_record(tp, (src, new.to_string()));
            }
        } else {
            self.add_record(tp, (old.to_string(), new.to_string()));
        }
    }

    /// `getTheActualPartitionToBeMoved`: a partition that earlier moved from `new` to this
    /// partition's first owner moves back instead, if there is one.
    fn actual_partition(&self, tp: &TopicPartition, old: &str, new: &str) -> TopicPartition {
        let Some(topic) = self.by_topic.get(&tp.0) else { return tp.clone() };
        let old = self.moves.get(tp).map_or(old.to_string(), |(src, _)| src.clone());
        match topic.get(&(new.to_string(), old)) {
            Some(set) => set.first().unwrap_or_else(|| tp.clone()),
            None => tp.clone(),
        }
    }
}

/// Kafka's `GeneralAssignmentBuilder` (different subscriptions), step by step (non-rack):
///
/// 1. Every member keeps its still-valid owned partitions of topics it still subscribes to
///    (`assignOwnedPartitions`); dropping one because the member unsubscribed means a revocation
///    is required.
/// 2. `prevAssignment`: partitions of members whose generation is below the newest one, with the
///    newest such generation per partition (`prepopulateCurrentAssignments`).
/// 3. Partitions nobody owns go, in order (topics by how few members can take them, then name;
///    partitions by number), to the least-loaded member that subscribes, ties by member id (the
///    `TreeSet` of `SubscriptionComparator`).
/// 4. Topics with fewer than two possible members, and members that could not take anything else,
///    are set aside; then `performReassignments` (first over the newly assigned partitions unless a
///    revocation is required, then over all): while the assignment is not balanced, a partition
///    whose owner has at least two more than its previous owner goes back to it; otherwise, if some
///    member of its topic has at least two fewer, it moves to the least-loaded member of its topic
///    (or the partition that earlier moved the other way moves back). Repeated until nothing moves.
///    If that did not lower the balance score (and the group was not empty), the moves are undone.
fn general_assign(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[&MemberSub],
    valid_owned: &BTreeMap<&str, Vec<TopicPartition>>,
) -> Assignment {
    let by_id: BTreeMap<&str, &MemberSub> = members.iter().map(|m| (m.member_id.as_str(), *m)).collect();
    // consumer2AllPotentialTopics and topic2AllPotentialConsumers.
    let potential_topics = |id: &str| -> Vec<String> {
        let mut t: Vec<String> =
            by_id[id].topics.iter().filter(|t| partitions_per_topic.contains_key(*t)).cloned().collect();
        t.dedup();
        t
    };
    let potential_consumers = |topic: &str| -> usize {
        members.iter().filter(|m| m.subscribes(topic) && partitions_per_topic.contains_key(topic)).count()
    };
    let total: usize = partitions_per_topic.values().map(|&n| n as usize).sum();
    let max_size = |id: &str| -> usize {
        let topics = potential_topics(id);
        if topics.len() == partitions_per_topic.len() {
            total
        } else {
            topics.iter().map(|t| partitions_per_topic[t] as usize).sum()
        }
    };

    // Step 1.
    let mut current: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();
    let mut owner: BTreeMap<TopicPartition, String> = BTreeMap::new();
    let mut revocation_required = false;
    let mut assigned: Vec<TopicPartition> = Vec::new();
    for m in members {
        let id = m.member_id.as_str();
        let mut kept = Vec::new();
        for tp in valid_owned.get(id).map(Vec::as_slice).unwrap_or_default() {
            if !partitions_per_topic.contains_key(&tp.0) {
                continue;
            }
            if !m.subscribes(&tp.0) {
                revocation_required = true;
                continue;
            }
            kept.push(tp.clone());
            assigned.push(tp.clone());
            owner.insert(tp.clone(), id.to_string());
        }
        current.insert(id.to_string(), kept);
    }

    // Step 2: prevAssignment, members taken in the subscriptions' HashMap order.
    let max_generation = members.iter().map(|m| m.generation).max().unwrap_or(DEFAULT_GENERATION);
    let ids: Vec<&str> = members.iter().map(|m| m.member_id.as_str()).collect();
    let mut prev: BTreeMap<TopicPartition, (String, i32)> = BTreeMap::new();
    for id in jdk_hash_map_order(&ids) {
        let m = by_id[id];
        let generation = m.generation;
        if generation < max_generation {
            for tp in &m.owned {
                if prev.get(tp).is_none_or(|(_, g)| generation > *g) {
                    prev.insert(tp.clone(), (id.to_string(), generation));
                }
            }
        }
    }

    // Topics by how few members can take them, then name; all their partitions in that order.
    let mut topics: Vec<&String> = partitions_per_topic.keys().collect();
    crate::sort::sort_by(&mut topics, |a, b| {
        potential_consumers(a).cmp(&potential_consumers(b)).then_with(|| java_string_cmp(a, b))
    });
    let mut sorted_all: Vec<TopicPartition> =
        topics.iter().flat_map(|t| (0..partitions_per_topic[*t]).map(move |p| ((*t).clone(), p))).collect();
    let mut unassigned: Vec<TopicPartition> = sorted_all.iter().filter(|tp| !assigned.contains(tp)).cloned().collect();

    let mut participating: BTreeSet<String> = current.keys().cloned().collect();
    // The TreeSet of SubscriptionComparator: by assignment size, then member id.
    let sorted_members =
        |current: &BTreeMap<String, Vec<TopicPartition>>, participating: &BTreeSet<String>| -> Vec<String> {
            let mut v: Vec<String> = participating.iter().cloned().collect();
            crate::sort::sort_by(&mut v, |a, b| {
                current[a].len().cmp(&current[b].len()).then_with(|| java_string_cmp(a, b))
            });
            v
        };

    // Step 3 (balance(): initializing, then maybeAssign).
    let last = sorted_members(&current, &participating).last().cloned();
    let initializing = last.is_none_or(|id| current[&id].is_empty());
    for tp in &unassigned {
        if potential_consumers(&tp.0) == 0 {
            continue;
        }
        let target =
            sorted_members(&current, &participating).into_iter().find(|id| by_id[id.as_str()].subscribes(&tp.0));
        if let Some(id) = target {
            current.get_mut(&id).expect("a member").push(tp.clone());
            owner.insert(tp.clone(), id);
        }
    }

    // Step 4: what cannot move is set aside.
    let fixed_topic = |t: &str| potential_consumers(t) < 2;
    sorted_all.retain(|tp| !fixed_topic(&tp.0));
    unassigned.retain(|tp| !fixed_topic(&tp.0));
    let mut fixed: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();
    for m in members {
        let id = m.member_id.as_str();
        let list = &current[id];
        let can = list.len() < max_size(id) || list.iter().any(|tp| !fixed_topic(&tp.0));
        if !can {
            participating.remove(id);
            fixed.insert(id.to_string(), current.remove(id).expect("a member"));
        }
    }
    let score = |a: &BTreeMap<String, Vec<TopicPartition>>| -> i64 {
        let sizes: Vec<i64> = a.values().map(|l| l.len() as i64).collect();
        let mut s = 0;
        for i in 0..sizes.len() {
            for j in i + 1..sizes.len() {
                s += (sizes[i] - sizes[j]).abs();
            }
        }
        s
    };
    let before = (current.clone(), owner.clone());
    let mut movements = PartitionMovements::default();

    let is_balanced = |current: &BTreeMap<String, Vec<TopicPartition>>, participating: &BTreeSet<String>| -> bool {
        let sorted = sorted_members(current, participating);
        let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else { return true };
        if current[first].len() + 1 >= current[last].len() {
            return true;
        }
        let mut all: BTreeMap<&TopicPartition, &str> = BTreeMap::new();
        for (id, list) in current {
            for tp in list {
                all.insert(tp, id);
            }
        }
        for id in &sorted {
            let count = current[id].len();
            if count == max_size(id) {
                continue;
            }
            for t in potential_topics(id) {
                for p in 0..partitions_per_topic[&t] {
                    let tp = (t.clone(), p);
                    if current[id].contains(&tp) {
                        continue;
                    }
                    if let Some(other) = all.get(&tp) {
                        if count + 1 < current[*other].len() {
                            return false;
                        }
                    }
                }
            }
        }
        true
    };

    let perform = |list: &[TopicPartition],
                   current: &mut BTreeMap<String, Vec<TopicPartition>>,
                   owner: &mut BTreeMap<TopicPartition, String>,
                   movements: &mut PartitionMovements|
     -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for tp in list {
                if is_balanced(current, &participating) {
                    break;
                }
                let Some(consumer) = owner.get(tp).cloned() else { continue };
                let size = |c: &BTreeMap<String, Vec<TopicPartition>>, id: &str| c.get(id).map(Vec::len);
                let mut target: Option<String> = None;
                if let Some((prev_owner, _)) = prev.get(tp) {
                    if let (Some(a), Some(b)) = (size(current, &consumer), size(current, prev_owner)) {
                        if a > b + 1 {
                            target = Some(prev_owner.clone());
                        }
                    }
                }
                if target.is_none() {
                    let mine = current[&consumer].len();
                    let better = members
                        .iter()
                        .filter(|m| m.subscribes(&tp.0))
                        .any(|m| size(current, &m.member_id).is_some_and(|other| mine > other + 1));
                    if better {
                        target = sorted_members(current, &participating)
                            .into_iter()
                            .find(|id| by_id[id.as_str()].subscribes(&tp.0));
                    }
                }
                let Some(new) = target else { continue };
                // reassignPartition: maybe move back a partition that went the other way.
                let actual = movements.actual_partition(tp, &consumer, &new);
                let old = owner[&actual].clone();
                movements.move_partition(&actual, &old, &new);
                let from = current.get_mut(&old).expect("the owner participates");
                if let Some(pos) = from.iter().position(|x| *x == actual) {
                    from.remove(pos);
                }
                current.get_mut(&new).expect("a participating member").push(actual.clone());
                owner.insert(actual, new);
                performed = true;
                modified = true;
            }
            if !modified {
                return performed;
            }
        }
    };

    if !revocation_required {
        perform(&unassigned, &mut current, &mut owner, &mut movements);
    }
    let performed = perform(&sorted_all, &mut current, &mut owner, &mut movements);
    if !initializing && performed && score(&current) >= score(&before.0) {
        current = before.0;
    }
    for (id, list) in fixed {
        current.insert(id, list);
    }
    current
}

/// `CooperativeStickyAssignor.computePartitionsTransferringOwnership`: partitions assigned to a member that
/// did not list them as owned, and listed as owned by a member that is not assigned them.
fn compute_transferring(members: &[&MemberSub], assignment: &Assignment) -> Transferring {
    let mut added = Transferring::new();
    let mut revoked: BTreeSet<&TopicPartition> = BTreeSet::new();
    for m in members {
        let assigned = assignment.get(&m.member_id).map(Vec::as_slice).unwrap_or_default();
        for tp in assigned {
            if !m.owned.contains(tp) {
                added.insert(tp.clone(), m.member_id.clone());
            }
        }
        revoked.extend(m.owned.iter().filter(|tp| !assigned.contains(tp)));
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}

/// Members with distinct ids, first occurrence kept, in input order.
fn unique_members(members: &[MemberSub]) -> Vec<&MemberSub> {
    let mut seen = BTreeSet::new();
    members.iter().filter(|m| seen.insert(m.member_id.as_str())).collect()
}

/// `partitions_per_topic` restricted to topics at least one member subscribes to.
fn subscribed_topics(partitions_per_topic: &BTreeMap<String, u32>, members: &[&MemberSub]) -> BTreeMap<String, u32> {
    partitions_per_topic
        .iter()
        .filter(|(t, _)| members.iter().any(|m| m.subscribes(t)))
        .map(|(t, &n)| (t.clone(), n))
        .collect()
}

fn empty_assignment(members: &[&MemberSub]) -> Assignment {
    members.iter().map(|m| (m.member_id.clone(), Vec::new())).collect()
}

fn push_all(assignment: &mut Assignment, member: &str, partitions: impl IntoIterator<Item = TopicPartition>) {
    assignment.entry(member.to_string()).or_default().extend(partitions);
}

#[cfg(test)]
mod tests {
    use super::*;

    type Expected<'a> = &'a [(&'a str, &'a [(&'a str, u32)])];

    fn topics(list: &[(&str, u32)]) -> BTreeMap<String, u32> {
        list.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    fn as_sets(a: &Assignment) -> BTreeMap<String, BTreeSet<TopicPartition>> {
        a.iter().map(|(m, l)| (m.clone(), l.iter().cloned().collect())).collect()
    }

    /// Kafka's `assertAssignment`: same members, same partitions per member, order ignored.
    fn assert_assignment(actual: &Assignment, expected: Expected<'_>) {
        let expected: BTreeMap<String, BTreeSet<TopicPartition>> = expected
            .iter()
            .map(|(m, l)| (m.to_string(), l.iter().map(|(t, p)| (t.to_string(), *p)).collect()))
            .collect();
        assert_eq!(as_sets(actual), expected);
        for (m, l) in actual {
            assert_eq!(l.len(), l.iter().collect::<BTreeSet<_>>().len(), "duplicate in {m}'s list");
        }
    }

    fn transfers(list: &[(&str, u32, &str)]) -> Transferring {
        list.iter().map(|(t, p, m)| ((t.to_string(), *p), m.to_string())).collect()
    }

    /// Feeds an assignment back as the members' ownership for the next rebalance.
    fn owning(members: &[MemberSub], a: &Assignment, generation: i32) -> Vec<MemberSub> {
        members
            .iter()
            .map(|m| {
                let mut m = m.clone();
                m.owned = a.get(&m.member_id).cloned().unwrap_or_default();
                m.generation = generation;
                m
            })
            .collect()
    }

    // ---- Table 2.4 ----

    #[test]
    fn r1_range_multiple_consumers_mixed_topics() {
        let ppt = topics(&[("topic1", 3), ("topic2", 2)]);
        let members = [
            MemberSub::new("consumer1", &["topic1"]),
            MemberSub::new("consumer2", &["topic1", "topic2"]),
            MemberSub::new("consumer3", &["topic1"]),
        ];
        assert_assignment(
            &assign(Strategy::Range, &ppt, &members),
            &[
                ("consumer1", &[("topic1", 0)]),
                ("consumer2", &[("topic1", 1), ("topic2", 0), ("topic2", 1)]),
                ("consumer3", &[("topic1", 2)]),
            ],
        );
    }

    #[test]
    fn r2_range_two_consumers_two_topics_six_partitions() {
        let ppt = topics(&[("topic1", 3), ("topic2", 3)]);
        let members =
            [MemberSub::new("consumer1", &["topic1", "topic2"]), MemberSub::new("consumer2", &["topic1", "topic2"])];
        assert_assignment(
            &assign(Strategy::Range, &ppt, &members),
            &[
                ("consumer1", &[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)]),
                ("consumer2", &[("topic1", 2), ("topic2", 2)]),
            ],
        );
    }

    #[test]
    fn rr1_roundrobin_multiple_consumers_mixed_topics() {
        let ppt = topics(&[("topic1", 3), ("topic2", 2)]);
        let members = [
            MemberSub::new("consumer1", &["topic1"]),
            MemberSub::new("consumer2", &["topic1", "topic2"]),
            MemberSub::new("consumer3", &["topic1"]),
        ];
        assert_assignment(
            &assign(Strategy::RoundRobin, &ppt, &members),
            &[
                ("consumer1", &[("topic1", 0)]),
                ("consumer2", &[("topic1", 1), ("topic2", 0), ("topic2", 1)]),
                ("consumer3", &[("topic1", 2)]),
            ],
        );
    }

    #[test]
    fn rr2_roundrobin_two_dynamic_consumers_two_topics_six_partitions() {
        let ppt = topics(&[("topic1", 3), ("topic2", 3)]);
        let members =
            [MemberSub::new("consumer1", &["topic1", "topic2"]), MemberSub::new("consumer2", &["topic1", "topic2"])];
        assert_assignment(
            &assign(Strategy::RoundRobin, &ppt, &members),
            &[
                ("consumer1", &[("topic1", 0), ("topic1", 2), ("topic2", 1)]),
                ("consumer2", &[("topic1", 1), ("topic2", 0), ("topic2", 2)]),
            ],
        );
    }

    #[test]
    fn s1_sticky_two_consumers_two_topics_six_partitions_fresh() {
        let ppt = topics(&[("topic1", 3), ("topic2", 3)]);
        let members =
            [MemberSub::new("consumer1", &["topic1", "topic2"]), MemberSub::new("consumer2", &["topic1", "topic2"])];
        let expected: Expected<'_> = &[
            ("consumer1", &[("topic1", 0), ("topic1", 2), ("topic2", 1)]),
            ("consumer2", &[("topic1", 1), ("topic2", 0), ("topic2", 2)]),
        ];
        assert_assignment(&assign(Strategy::Sticky, &ppt, &members), expected);
        let (coop, transferring) = cooperative_assign(&ppt, &members);
        assert_assignment(&coop, expected);
        assert!(transferring.is_empty());
    }

    fn s2_topics() -> BTreeMap<String, u32> {
        topics(&[("topic1", 3), ("topic2", 4)])
    }

    const S2A: &[(&str, u32)] = &[("topic1", 0), ("topic1", 2), ("topic2", 1), ("topic2", 3)];
    const S2A_C2: &[(&str, u32)] = &[("topic1", 1), ("topic2", 0), ("topic2", 2)];

    fn s2b_members() -> Vec<MemberSub> {
        vec![
            MemberSub::new("consumer1", &["topic1", "topic2"]).with_owned(S2A, 1),
            MemberSub::new("consumer2", &["topic1", "topic2"]).with_owned(S2A_C2, 1),
            MemberSub::new("consumer3", &["topic1", "topic2"]),
            MemberSub::new("consumer4", &["topic1", "topic2"]),
        ]
    }

    const S2B: Expected<'static> = &[
        ("consumer1", &[("topic1", 0), ("topic2", 1)]),
        ("consumer2", &[("topic2", 0), ("topic1", 1)]),
        ("consumer3", &[("topic1", 2), ("topic2", 3)]),
        ("consumer4", &[("topic2", 2)]),
    ];

    #[test]
    fn s2a_sticky_add_remove_two_consumers_two_topics_step1_fresh() {
        let members =
            [MemberSub::new("consumer1", &["topic1", "topic2"]), MemberSub::new("consumer2", &["topic1", "topic2"])];
        assert_assignment(
            &assign(Strategy::Sticky, &s2_topics(), &members),
            &[("consumer1", S2A), ("consumer2", S2A_C2)],
        );
    }

    #[test]
    fn s2b_sticky_consumer3_and_consumer4_join() {
        assert_assignment(&assign(Strategy::Sticky, &s2_topics(), &s2b_members()), S2B);
    }

    #[test]
    fn s2c_sticky_consumer1_and_consumer2_leave() {
        let members = [
            MemberSub::new("consumer3", &["topic1", "topic2"]).with_owned(&[("topic1", 2), ("topic2", 3)], 2),
            MemberSub::new("consumer4", &["topic1", "topic2"]).with_owned(&[("topic2", 2)], 2),
        ];
        let expected: Expected<'_> = &[
            ("consumer3", &[("topic1", 2), ("topic2", 3), ("topic1", 0), ("topic2", 1)]),
            ("consumer4", &[("topic2", 2), ("topic1", 1), ("topic2", 0)]),
        ];
        assert_assignment(&assign(Strategy::Sticky, &s2_topics(), &members), expected);
        // The leavers' partitions have no live owner: the cooperative assignor hands them out at once.
        let (coop, transferring) = cooperative_assign(&s2_topics(), &members);
        assert_assignment(&coop, expected);
        assert!(transferring.is_empty());
    }

    #[test]
    fn s2b_cooperative_holds_back_transfers_then_completes() {
        let members = s2b_members();
        let (round1, transferring) = cooperative_assign(&s2_topics(), &members);
        assert_assignment(
            &round1,
            &[
                ("consumer1", &[("topic1", 0), ("topic2", 1)]),
                ("consumer2", &[("topic2", 0), ("topic1", 1)]),
                ("consumer3", &[]),
                ("consumer4", &[]),
            ],
        );
        assert_eq!(
            transferring,
            transfers(&[("topic1", 2, "consumer3"), ("topic2", 3, "consumer3"), ("topic2", 2, "consumer4")])
        );
        assert_eq!(assign(Strategy::CooperativeSticky, &s2_topics(), &members), round1);

        // Everyone rejoins with what round 1 gave them; the freed partitions now go to their new owners.
        let (round2, transferring) = cooperative_assign(&s2_topics(), &owning(&members, &round1, 2));
        assert_assignment(&round2, S2B);
        assert!(transferring.is_empty());
    }

    /// `CooperativeStickyAssignorTest.testAddRemoveConsumerOneTopic`.
    #[test]
    fn cooperative_add_remove_consumer_one_topic() {
        let ppt = topics(&[("topic", 3)]);
        let (round0, t) = cooperative_assign(&ppt, &[MemberSub::new("consumer1", &["topic"])]);
        assert_assignment(&round0, &[("consumer1", &[("topic", 0), ("topic", 1), ("topic", 2)])]);
        assert!(t.is_empty());

        let members = [
            MemberSub::new("consumer1", &["topic"]).with_owned(&[("topic", 0), ("topic", 1), ("topic", 2)], 1),
            MemberSub::new("consumer2", &["topic"]),
        ];
        let (round1, t) = cooperative_assign(&ppt, &members);
        assert_assignment(&round1, &[("consumer1", &[("topic", 0), ("topic", 1)]), ("consumer2", &[])]);
        assert_eq!(t, transfers(&[("topic", 2, "consumer2")]));

        let (round2, t) = cooperative_assign(&ppt, &owning(&members, &round1, 2));
        assert_assignment(&round2, &[("consumer1", &[("topic", 0), ("topic", 1)]), ("consumer2", &[("topic", 2)])]);
        assert!(t.is_empty());

        // consumer1 leaves: its partitions have no live owner and move at once.
        let alone = [MemberSub::new("consumer2", &["topic"]).with_owned(&[("topic", 2)], 3)];
        let (round3, t) = cooperative_assign(&ppt, &alone);
        assert_assignment(&round3, &[("consumer2", &[("topic", 0), ("topic", 1), ("topic", 2)])]);
        assert!(t.is_empty());
    }

    // ---- Member ordering and static membership ----

    #[test]
    fn static_member_sorts_before_dynamic_in_range() {
        let ppt = topics(&[("topic", 3)]);
        let members =
            [MemberSub::new("consumer-a", &["topic"]), MemberSub::new("consumer-b", &["topic"]).with_instance_id("b")];
        let sorted: Vec<&str> = sort_members(&members).iter().map(|m| m.member_id.as_str()).collect();
        assert_eq!(sorted, ["consumer-b", "consumer-a"]);
        assert_assignment(
            &assign(Strategy::Range, &ppt, &members),
            &[("consumer-a", &[("topic", 2)]), ("consumer-b", &[("topic", 0), ("topic", 1)])],
        );
        // Without the static id, plain member-id order.
        let dynamic = [MemberSub::new("consumer-a", &["topic"]), MemberSub::new("consumer-b", &["topic"])];
        assert_assignment(
            &assign(Strategy::Range, &ppt, &dynamic),
            &[("consumer-a", &[("topic", 0), ("topic", 1)]), ("consumer-b", &[("topic", 2)])],
        );
    }

    #[test]
    fn member_ids_compare_like_java_strings() {
        assert_eq!(java_string_cmp("consumer-10", "consumer-2"), Ordering::Less);
        // U+10000 is the surrogate pair D800 DC00, which Java sorts before U+FFFD; Rust's str order disagrees.
        assert_eq!(java_string_cmp("\u{10000}", "\u{FFFD}"), Ordering::Less);
        assert_eq!("\u{10000}".cmp("\u{FFFD}"), Ordering::Greater);
        let members = [
            MemberSub::new("consumer-2", &["t"]),
            MemberSub::new("consumer-10", &["t"]),
            MemberSub::new("z", &["t"]).with_instance_id("i-2"),
            MemberSub::new("y", &["t"]).with_instance_id("i-10"),
        ];
        let sorted: Vec<&str> = sort_members(&members).iter().map(|m| m.member_id.as_str()).collect();
        assert_eq!(sorted, ["y", "z", "consumer-10", "consumer-2"]);
    }

    #[test]
    fn jdk_hash_map_order_reverses_consumer1_to_n() {
        assert_eq!(java_string_hash("consumer1"), "consumer1".chars().fold(0i32, |h, c| h.wrapping_mul(31) + c as i32));
        assert_eq!(
            jdk_hash_map_order(&["consumer1", "consumer2", "consumer3"]),
            ["consumer3", "consumer2", "consumer1"]
        );
        assert_eq!(
            jdk_hash_map_order(&["consumer1", "consumer2", "consumer3", "consumer4"]),
            ["consumer4", "consumer3", "consumer2", "consumer1"]
        );
    }

    /// A `HashMap<TopicPartition, _>` as the JDK iterates it (the order `kafka-consumer-groups` and
    /// `kafka-leader-election` print partitions in); expected order printed by Java 17.
    #[test]
    fn topic_partition_hash_order_is_the_jdks() {
        let tps: Vec<(&str, u32)> = vec![
            ("orders", 0),
            ("orders", 1),
            ("orders", 2),
            ("events", 0),
            ("events", 1),
            ("events", 2),
            ("events", 3),
            ("events", 10),
            ("clicks", 0),
            ("clicks", 5),
        ];
        let order = jdk_hash_order(&tps, |(t, p)| topic_partition_hash(t, *p));
        let text: Vec<String> = order.iter().map(|(t, p)| format!("{t}-{p}")).collect();
        assert_eq!(
            text.join(", "),
            "events-3, clicks-5, events-10, orders-0, orders-1, orders-2, events-0, events-1, clicks-0, events-2"
        );
    }

    /// `...AssignmentPersistent`: the dynamic consumer4 replaced by consumer5 takes over exactly its share.
    #[test]
    fn replacing_dynamic_consumer4_by_consumer5_keeps_assignments() {
        let ppt = topics(&[("topic1", 3), ("topic2", 4)]);
        let subs = ["topic1", "topic2"];
        let with = |last: &str| {
            vec![
                MemberSub::new("consumer1", &subs).with_instance_id("instance1"),
                MemberSub::new("consumer2", &subs).with_instance_id("instance2"),
                MemberSub::new("consumer3", &subs).with_instance_id("instance3"),
                MemberSub::new(last, &subs),
            ]
        };
        for strategy in Strategy::ALL {
            let before = assign(strategy, &ppt, &with("consumer4"));
            // Sticky assignors get their ownership back; consumer5 is new and owns nothing.
            let mut after_members = owning(&with("consumer4"), &before, 1);
            after_members[3] = MemberSub::new("consumer5", &subs);
            let after = assign(strategy, &ppt, &after_members);
            for m in ["consumer1", "consumer2", "consumer3"] {
                let (b, a): (BTreeSet<_>, BTreeSet<_>) = (before[m].iter().collect(), after[m].iter().collect());
                assert_eq!(b, a, "{strategy}: {m}");
            }
            let (b, a): (BTreeSet<_>, BTreeSet<_>) =
                (before["consumer4"].iter().collect(), after["consumer5"].iter().collect());
            assert_eq!(b, a, "{strategy}: consumer5 takes consumer4's share");
            assert!(!after.contains_key("consumer4"));
        }
    }

    // ---- Different subscriptions: Kafka's GeneralAssignmentBuilder ----

    /// A member for the table below: id, generation, topics, owned partitions (`t-p`), in the
    /// order Kafka's assignor receives them.
    fn general_member(id: &str, generation: i32, topics: &str, owned: &str) -> MemberSub {
        let topics: Vec<&str> = topics.split(',').filter(|s| !s.is_empty()).collect();
        let mut m = MemberSub::new(id, &topics);
        m.owned = owned
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|tp| {
                let (t, p) = tp.rsplit_once('-').expect("t-p");
                (t.to_string(), p.parse().expect("a partition"))
            })
            .collect();
        m.generation = generation;
        m
    }

    fn as_text(a: &Assignment) -> String {
        a.iter()
            .map(|(m, l)| format!("{m}={}", l.iter().map(|(t, p)| format!("{t}-{p}")).collect::<Vec<_>>().join(",")))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Groups whose members subscribe to different topics, with the assignment Kafka's own
    /// `StickyAssignor` / `CooperativeStickyAssignor` (4.0 snapshot) computed for them, list order
    /// included (members `id|generation|topics|owned`).
    #[test]
    fn general_builder_matches_kafkas_assignors() {
        let cases: &[(&str, &str, &str, &str)] = &[
            ("coop", "t1:6,t2:1,t3:2", "m11|2|t1|t1-3/m22|4|t1,t2|t1-1,t1-2/m3|3|t2,t3|t3-1",
             "m11=t1-3,t1-0,t1-4 m22=t1-1,t1-2,t1-5 m3=t3-1,t3-0,t2-0"),
            ("sticky", "t1:3,t2:2,t3:2", "m21|4|t2,t3|t2-0,t3-1/m2|-1|t1,t2,t3|/m3|2|t1,t2,t3|t1-0,t1-1/m24|-1|t2|/m25|2|t1,t2,t3|t1-2",
             "m2=t3-0 m21=t2-0,t3-1 m24=t2-1 m25=t1-2 m3=t1-0,t1-1"),
            ("sticky", "t1:0,t2:6", "m11|4|t2|t2-5/m22|2|t1,t2|t2-0,t2-2/m23|3|t2|t2-1",
             "m11=t2-5,t2-3 m22=t2-0,t2-2 m23=t2-1,t2-4"),
            ("coop", "t1:0,t2:3,t3:3,t4:0", "m21|4|t2,t3|t3-0,t3-1/m22|-1|t1,t2,t3|/m3|2|t2,t3|t2-2,t3-2/m4|3|t1,t2,t4|t2-0",
             "m21=t3-0,t3-1 m22=t2-1 m3=t2-2,t3-2 m4=t2-0"),
            ("coop", "t1:4,t2:3,t3:2", "m21|3|t1,t3|t1-2,t3-1/m22|4|t2|t2-1,t2-2/m3|4|t1,t2,t3|t2-0",
             "m21=t1-2,t3-1,t1-1,t3-0 m22=t2-1,t2-2 m3=t2-0,t1-0,t1-3"),
            ("coop", "t1:5,t2:6", "m1|3|t1|t1-3/m22|2|t1,t2|t1-4,t2-1/m13|-1|t1|",
             "m1=t1-3,t1-1 m13=t1-0,t1-2 m22=t2-1,t2-0,t2-2,t2-3,t2-4,t2-5"),
            ("sticky", "t1:6,t2:6", "m11|4|t1,t2|t1-2,t1-3,t2-5/m12|3|t1,t2|t1-0,t1-4/m3|-1|t1|/m14|2|t1,t2|t2-0,t2-2/m15|3|t1,t2|t2-3",
             "m11=t1-2,t1-3,t2-5 m12=t1-0,t1-4,t2-4 m14=t2-0,t2-2 m15=t2-3,t2-1 m3=t1-1,t1-5"),
            ("sticky", "t1:1,t2:4,t3:0,t4:1", "m11|3|t1,t2,t4|t1-0,t2-1,t2-2/m12|4|t1,t2,t3,t4|t2-0/m23|-1|t1|/m24|-1|t1,t2,t3,t4|/m25|4|t2,t3,t4|t4-0,t2-3",
             "m11=t2-2 m12=t2-0 m23=t1-0 m24=t2-1 m25=t4-0,t2-3"),
        ];
        for (strategy, ppt, members, expected) in cases {
            let ppt: BTreeMap<String, u32> = ppt
                .split(',')
                .map(|t| {
                    let (n, c) = t.split_once(':').expect("t:n");
                    (n.to_string(), c.parse().expect("a count"))
                })
                .collect();
            let members: Vec<MemberSub> = members
                .split('/')
                .map(|m| {
                    let f: Vec<&str> = m.split('|').collect();
                    general_member(f[0], f[1].parse().expect("a generation"), f[2], f[3])
                })
                .collect();
            let a = if *strategy == "sticky" {
                assign(Strategy::Sticky, &ppt, &members)
            } else {
                cooperative_assign(&ppt, &members).0
            };
            assert_eq!(as_text(&a), *expected, "{strategy} {members:?}");
        }
    }

    // ---- Multi-round groups (kafka-reference-v2.md section 9) ----

    /// A group member across rounds: what it owns and since which generation.
    struct Round {
        members: Vec<MemberSub>,
        generation: i32,
    }

    impl Round {
        fn new() -> Round {
            Round { members: Vec::new(), generation: 0 }
        }

        fn join(&mut self, id: &str, topics: &[&str]) {
            self.members.push(MemberSub::new(id, topics));
        }

        fn leave(&mut self, id: &str) {
            self.members.retain(|m| m.member_id != id);
        }

        /// One rebalance: the assignor runs over the members' claims, each member then owns what
        /// it got, at the new generation. Returns the assignment as `member: partitions` text.
        fn rebalance(&mut self, strategy: Strategy, ppt: &BTreeMap<String, u32>) -> (String, Transferring) {
            self.generation += 1;
            let (a, held) = match strategy {
                Strategy::CooperativeSticky => cooperative_assign(ppt, &self.members),
                s => (assign(s, ppt, &self.members), Transferring::new()),
            };
            for m in &mut self.members {
                m.owned = a[&m.member_id].clone();
                m.generation = self.generation;
            }
            (as_text(&a), held)
        }
    }

    #[test]
    fn v2_sticky_grow_shrink_1topic() {
        let ppt = topics(&[("clicks", 6)]);
        let mut g = Round::new();
        g.join("c1", &["clicks"]);
        let round = |g: &mut Round| g.rebalance(Strategy::Sticky, &ppt).0;
        assert_eq!(round(&mut g), "c1=clicks-0,clicks-1,clicks-2,clicks-3,clicks-4,clicks-5");
        g.join("c2", &["clicks"]);
        assert_eq!(round(&mut g), "c1=clicks-0,clicks-1,clicks-2 c2=clicks-3,clicks-4,clicks-5");
        g.join("c3", &["clicks"]);
        assert_eq!(round(&mut g), "c1=clicks-0,clicks-1 c2=clicks-3,clicks-4 c3=clicks-2,clicks-5");
        g.leave("c2");
        assert_eq!(round(&mut g), "c1=clicks-0,clicks-1,clicks-3 c3=clicks-2,clicks-5,clicks-4");
        g.join("c4", &["clicks"]);
        assert_eq!(round(&mut g), "c1=clicks-0,clicks-1 c3=clicks-2,clicks-4 c4=clicks-3,clicks-5");
        g.leave("c1");
        assert_eq!(round(&mut g), "c3=clicks-2,clicks-4,clicks-0 c4=clicks-3,clicks-5,clicks-1");
    }

    #[test]
    fn v2_sticky_kick_reset_rejoin() {
        let ppt = topics(&[("clicks", 4)]);
        let mut g = Round::new();
        g.join("c1", &["clicks"]);
        g.join("c2", &["clicks"]);
        assert_eq!(g.rebalance(Strategy::Sticky, &ppt).0, "c1=clicks-0,clicks-2 c2=clicks-1,clicks-3");
        // The coordinator removes c2; the client keeps its userData (generation 1).
        let kicked = g.members.iter().find(|m| m.member_id == "c2").cloned().expect("c2");
        g.leave("c2");
        assert_eq!(g.rebalance(Strategy::Sticky, &ppt).0, "c1=clicks-0,clicks-2,clicks-1,clicks-3");
        g.members.push(kicked);
        assert_eq!(g.rebalance(Strategy::Sticky, &ppt).0, "c1=clicks-0,clicks-1 c2=clicks-2,clicks-3");
    }

    #[test]
    fn v2_coop_grow_1topic() {
        let ppt = topics(&[("clicks", 6)]);
        let mut g = Round::new();
        g.join("c1", &["clicks"]);
        let (a, held) = g.rebalance(Strategy::CooperativeSticky, &ppt);
        assert_eq!(a, "c1=clicks-0,clicks-1,clicks-2,clicks-3,clicks-4,clicks-5");
        assert!(held.is_empty(), "no follow-up");
        g.join("c2", &["clicks"]);
        let (a, held) = g.rebalance(Strategy::CooperativeSticky, &ppt);
        assert_eq!(a, "c1=clicks-0,clicks-1,clicks-2 c2=");
        assert_eq!(held, transfers(&[("clicks", 3, "c2"), ("clicks", 4, "c2"), ("clicks", 5, "c2")]));
        assert_eq!(
            g.rebalance(Strategy::CooperativeSticky, &ppt).0,
            "c1=clicks-0,clicks-1,clicks-2 c2=clicks-3,clicks-4,clicks-5"
        );
        g.join("c3", &["clicks"]);
        let (a, held) = g.rebalance(Strategy::CooperativeSticky, &ppt);
        assert_eq!(a, "c1=clicks-0,clicks-1 c2=clicks-3,clicks-4 c3=");
        assert_eq!(held, transfers(&[("clicks", 2, "c3"), ("clicks", 5, "c3")]));
        assert_eq!(
            g.rebalance(Strategy::CooperativeSticky, &ppt).0,
            "c1=clicks-0,clicks-1 c2=clicks-3,clicks-4 c3=clicks-2,clicks-5"
        );
        assert_eq!(g.generation, 5);
    }

    #[test]
    fn v2_coop_same_generation_conflict() {
        let ppt = topics(&[("clicks", 4)]);
        let members = [
            MemberSub::new("c1", &["clicks"]).with_owned(&[("clicks", 0), ("clicks", 1)], 1),
            MemberSub::new("c2", &["clicks"]).with_owned(&[("clicks", 1), ("clicks", 2)], 1),
            MemberSub::new("c3", &["clicks"]),
        ];
        let (a, held) = cooperative_assign(&ppt, &members);
        assert_eq!(as_text(&a), "c1=clicks-0,clicks-3 c2=clicks-2 c3=");
        assert_eq!(held, transfers(&[("clicks", 1, "c3")]));
        let (a, held) = cooperative_assign(&ppt, &owning(&members, &a, 2));
        assert_eq!(as_text(&a), "c1=clicks-0,clicks-3 c2=clicks-2 c3=clicks-1");
        assert!(held.is_empty());
    }

    #[test]
    fn v2_coop_partition_increase() {
        let members = [
            MemberSub::new("c1", &["logs"]).with_owned(&[("logs", 0), ("logs", 2)], 3),
            MemberSub::new("c2", &["logs"]).with_owned(&[("logs", 1)], 3),
        ];
        let (a, held) = cooperative_assign(&topics(&[("logs", 5)]), &members);
        assert_eq!(as_text(&a), "c1=logs-0,logs-2,logs-4 c2=logs-1,logs-3");
        assert!(held.is_empty(), "new partitions have no owner: no follow-up");
    }

    #[test]
    fn v2_range_uneven_3topics() {
        let ppt = topics(&[("clicks", 3), ("views", 2), ("purchases", 4)]);
        let mut members = vec![
            MemberSub::new("c1", &["clicks", "views"]),
            MemberSub::new("c2", &["views", "purchases"]),
            MemberSub::new("c3", &["clicks", "purchases"]),
        ];
        assert_assignment(
            &assign(Strategy::Range, &ppt, &members),
            &[
                ("c1", &[("clicks", 0), ("clicks", 1), ("views", 0)]),
                ("c2", &[("views", 1), ("purchases", 0), ("purchases", 1)]),
                ("c3", &[("clicks", 2), ("purchases", 2), ("purchases", 3)]),
            ],
        );
        members.push(MemberSub::new("c4", &["clicks", "views", "purchases"]));
        assert_assignment(
            &assign(Strategy::Range, &ppt, &members),
            &[
                ("c1", &[("clicks", 0), ("views", 0)]),
                ("c2", &[("views", 1), ("purchases", 0), ("purchases", 1)]),
                ("c3", &[("clicks", 1), ("purchases", 2)]),
                ("c4", &[("clicks", 2), ("purchases", 3)]),
            ],
        );
        members.retain(|m| m.member_id != "c2");
        assert_assignment(
            &assign(Strategy::Range, &ppt, &members),
            &[
                ("c1", &[("clicks", 0), ("views", 0)]),
                ("c3", &[("clicks", 1), ("purchases", 0), ("purchases", 1)]),
                ("c4", &[("clicks", 2), ("views", 1), ("purchases", 2), ("purchases", 3)]),
            ],
        );
    }

    #[test]
    fn v2_range_imbalance_accumulates() {
        let ppt = topics(&[("clicks", 5), ("views", 5), ("logs", 5)]);
        let all = ["clicks", "views", "logs"];
        let mut members = vec![MemberSub::new("c1", &all), MemberSub::new("c2", &all), MemberSub::new("c3", &all)];
        let a = assign(Strategy::Range, &ppt, &members);
        assert_eq!(a.values().map(Vec::len).collect::<Vec<_>>(), vec![6, 6, 3]);
        members.push(MemberSub::new("c4", &["logs"]));
        assert_assignment(
            &assign(Strategy::Range, &ppt, &members),
            &[
                ("c1", &[("clicks", 0), ("clicks", 1), ("views", 0), ("views", 1), ("logs", 0), ("logs", 1)]),
                ("c2", &[("clicks", 2), ("clicks", 3), ("views", 2), ("views", 3), ("logs", 2)]),
                ("c3", &[("clicks", 4), ("views", 4), ("logs", 3)]),
                ("c4", &[("logs", 4)]),
            ],
        );
    }

    // ---- Ownership conflicts ----

    #[test]
    fn same_generation_double_claim_is_dropped_and_higher_generation_wins() {
        let ppt = topics(&[("t", 4)]);
        let subs = ["t"];
        // t-0 claimed by both in generation 5: dropped from both, handed out fresh, and reported as
        // transferring (Kafka's partitionsWithMultiplePreviousOwners).
        let members = [
            MemberSub::new("a", &subs).with_owned(&[("t", 0), ("t", 1)], 5),
            MemberSub::new("b", &subs).with_owned(&[("t", 0), ("t", 2)], 5),
        ];
        let (coop, transferring) = cooperative_assign(&ppt, &members);
        let sticky = sticky_assign(&ppt, &members);
        assert!(sticky["a"].contains(&("t".to_string(), 1)) && sticky["b"].contains(&("t".to_string(), 2)));
        let holder = if sticky["a"].contains(&("t".to_string(), 0)) { "a" } else { "b" };
        assert_eq!(transferring, transfers(&[("t", 0, holder)]));
        assert!(!coop[holder].contains(&("t".to_string(), 0)));

        // Different generations: the newer claim wins and nothing is held back for it.
        let members = [
            MemberSub::new("a", &subs).with_owned(&[("t", 0), ("t", 1)], 6),
            MemberSub::new("b", &subs).with_owned(&[("t", 0), ("t", 2)], 5),
        ];
        let sticky = sticky_assign(&ppt, &members);
        assert!(sticky["a"].contains(&("t".to_string(), 0)) && sticky["a"].contains(&("t".to_string(), 1)));
        assert!(sticky["b"].contains(&("t".to_string(), 2)));
    }

    // ---- Protocol selection ----

    #[test]
    fn default_strategies_give_eager_range() {
        assert_eq!(rebalance_protocol(&DEFAULT_STRATEGIES), Some(RebalanceProtocol::Eager));
        let group = vec![DEFAULT_STRATEGIES.to_vec(); 3];
        assert_eq!(select_group_strategy(&group), Some(Strategy::Range));
        assert_eq!(select_group_strategy(&group).map(Strategy::name), Some("range"));
    }

    #[test]
    fn protocol_and_strategy_selection_rules() {
        use RebalanceProtocol::*;
        use Strategy::*;
        assert_eq!(rebalance_protocol(&[CooperativeSticky]), Some(Cooperative));
        assert_eq!(rebalance_protocol(&[CooperativeSticky, Sticky]), Some(Eager));
        assert_eq!(rebalance_protocol(&[]), None);
        assert!(CooperativeSticky.supports_cooperative());
        assert!(!Range.supports_cooperative() && !RoundRobin.supports_cooperative() && !Sticky.supports_cooperative());
        for s in Strategy::ALL {
            assert_eq!(Strategy::from_name(s.name()), Some(s));
            assert_eq!(Strategy::from_name(s.class_name()), Some(s));
        }
        assert_eq!(Strategy::from_name("CooperativeStickyAssignor"), Some(CooperativeSticky));
        assert_eq!(Strategy::from_name("Range"), None);

        // Mid rolling upgrade: one member already prefers cooperative-sticky, two still list range first.
        let group =
            vec![vec![CooperativeSticky, Range], vec![Range, CooperativeSticky], vec![Range, CooperativeSticky]];
        assert_eq!(select_group_strategy(&group), Some(Range));
        // Only the common strategy can win, whatever the preferences.
        assert_eq!(select_group_strategy(&[vec![Sticky, Range], vec![RoundRobin, Range]]), Some(Range));
        // A 1–1 tie goes to the name met first in HashMap order (range before cooperative-sticky).
        assert_eq!(
            select_group_strategy(&[vec![CooperativeSticky, Range], vec![Range, CooperativeSticky]]),
            Some(Range)
        );
        assert_eq!(
            select_group_strategy(&[vec![CooperativeSticky, Sticky], vec![Sticky, CooperativeSticky]]),
            Some(Sticky)
        );
        assert_eq!(select_group_strategy(&[vec![Range], vec![Sticky]]), None);
        assert_eq!(select_group_strategy(&[]), None);
    }

    // ---- Properties over generated inputs ----

    /// SplitMix64, local to the tests.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    struct Case {
        ppt: BTreeMap<String, u32>,
        members: Vec<MemberSub>,
        identical: bool,
    }

    /// A random group: up to 4 topics (one sometimes unsubscribed), up to 6 members, identical or mixed
    /// subscriptions, ownership from a random earlier assignment (sometimes with stale or missing topics).
    fn generate(seed: u64) -> Case {
        let mut g = Gen(seed);
        let n_topics = 1 + g.below(4) as usize;
        let names: Vec<String> = (0..n_topics).map(|i| format!("topic{}", i + 1)).collect();
        let ppt: BTreeMap<String, u32> = names.iter().map(|t| (t.clone(), g.below(8) as u32)).collect();
        let n_members = 1 + g.below(6) as usize;
        let identical = g.below(2) == 0;
        let all: Vec<&str> = names.iter().map(String::as_str).collect();
        let members = (0..n_members)
            .map(|i| {
                let subs: Vec<&str> = if identical {
                    all.clone()
                } else {
                    let s: Vec<&str> = all.iter().copied().filter(|_| g.below(2) == 0).collect();
                    if s.is_empty() {
                        vec![all[0]]
                    } else {
                        s
                    }
                };
                let mut m = MemberSub::new(&format!("consumer{}", i + 1), &subs);
                if g.below(4) == 0 {
                    m = m.with_instance_id(&format!("instance{}", n_members - i));
                }
                m
            })
            .collect::<Vec<_>>();
        // Ownership: each existing partition to a random member that subscribes to its topic (or
        // nobody), plus a ghost partition. (Kafka's consumers revoke what they no longer subscribe
        // to before they rejoin, so a claim is always of a subscribed topic.)
        let mut members = members;
        for (t, &n) in &ppt {
            for p in 0..n {
                let k = g.below(n_members as u64 + 2) as usize;
                if k < n_members && members[k].subscribes(t) {
                    members[k].owned.push((t.clone(), p));
                    // Sometimes a second, conflicting claim (a zombie that missed a rebalance).
                    let other = (k + 1 + g.below(n_members as u64) as usize) % n_members;
                    if other != k && g.below(6) == 0 && members[other].subscribes(t) {
                        members[other].owned.push((t.clone(), p));
                    }
                }
            }
        }
        if let Some(m) = members.first_mut() {
            m.owned.push(("gone".to_string(), 0));
            m.owned.push(("topic1".to_string(), 99));
        }
        for m in &mut members {
            m.generation = if m.owned.is_empty() { DEFAULT_GENERATION } else { 2 + g.below(2) as i32 };
        }
        Case { ppt, members, identical }
    }

    /// Every partition of a subscribed topic is assigned exactly once, only to a subscriber; every member
    /// has an entry. For the cooperative assignor, held-back partitions count as assigned to their target.
    fn check_valid(case: &Case, a: &Assignment, held: &Transferring, label: &str) {
        let ids: BTreeSet<&str> = case.members.iter().map(|m| m.member_id.as_str()).collect();
        assert_eq!(a.keys().map(String::as_str).collect::<BTreeSet<_>>(), ids, "{label}: members");
        let mut seen: BTreeMap<TopicPartition, usize> = BTreeMap::new();
        for (m, list) in a {
            let member = case.members.iter().find(|x| &x.member_id == m).expect("known member");
            for tp in list {
                assert!(member.subscribes(&tp.0), "{label}: {m} got {tp:?} without subscribing");
                *seen.entry(tp.clone()).or_default() += 1;
            }
        }
        for (tp, m) in held {
            assert!(case.members.iter().any(|x| &x.member_id == m && x.subscribes(&tp.0)), "{label}: held {tp:?}");
            *seen.entry(tp.clone()).or_default() += 1;
        }
        for (t, &n) in &case.ppt {
            let subscribed = case.members.iter().any(|m| m.subscribes(t));
            for p in 0..n {
                let count = seen.get(&(t.clone(), p)).copied().unwrap_or(0);
                assert_eq!(count, usize::from(subscribed), "{label}: {t}-{p} assigned {count} times");
            }
        }
        assert!(seen.keys().all(|(t, p)| case.ppt.get(t).is_some_and(|&n| *p < n)), "{label}: ghost partition");
    }

    fn spread(a: &Assignment) -> usize {
        let counts = a.values().map(Vec::len);
        counts.clone().max().unwrap_or(0) - counts.min().unwrap_or(0)
    }

    #[test]
    fn generated_groups_are_valid_and_balanced() {
        for seed in 0..300 {
            let case = generate(seed);
            let none = Transferring::new();
            for strategy in [Strategy::Range, Strategy::RoundRobin, Strategy::Sticky] {
                let a = assign(strategy, &case.ppt, &case.members);
                check_valid(&case, &a, &none, &format!("seed {seed} {strategy}"));
                if case.identical && strategy != Strategy::Range {
                    assert!(spread(&a) <= 1, "seed {seed} {strategy}: {a:?}");
                }
            }
            let (coop, held) = cooperative_assign(&case.ppt, &case.members);
            check_valid(&case, &coop, &held, &format!("seed {seed} cooperative"));
            // The cooperative result is the sticky one minus the held-back partitions.
            let mut full = coop.clone();
            for (tp, m) in &held {
                full.get_mut(m).expect("member").push(tp.clone());
            }
            assert_eq!(as_sets(&full), as_sets(&sticky_assign(&case.ppt, &case.members)), "seed {seed}");
            // Held back only when the partition is owned by another live member.
            for (tp, m) in &held {
                assert!(case.members.iter().any(|x| &x.member_id != m && x.owned.contains(tp)), "seed {seed}: {tp:?}");
            }
        }
    }

    #[test]
    fn generated_sticky_keeps_owned_partitions_up_to_quota() {
        for seed in 0..300 {
            let case = generate(seed);
            let claims: Vec<&TopicPartition> = case.members.iter().flat_map(|m| &m.owned).collect();
            let contested = claims.len() != claims.iter().collect::<BTreeSet<_>>().len();
            if !case.identical || contested {
                continue;
            }
            let total: usize = case.ppt.values().map(|&n| n as usize).sum();
            let min_quota = total / case.members.len();
            let a = sticky_assign(&case.ppt, &case.members);
            for m in &case.members {
                let valid = m.owned.iter().filter(|tp| case.ppt.get(&tp.0).is_some_and(|&n| tp.1 < n)).count();
                let kept = m.owned.iter().filter(|tp| a[&m.member_id].contains(tp)).count();
                assert!(kept >= valid.min(min_quota), "seed {seed}: {} kept {kept} of {valid}", m.member_id);
            }
        }
    }

    #[test]
    fn generated_general_sticky_has_no_single_balancing_move_left() {
        for seed in 0..300 {
            let case = generate(seed);
            if case.identical {
                continue;
            }
            let a = sticky_assign(&case.ppt, &case.members);
            for donor in &case.members {
                for receiver in &case.members {
                    if a[&donor.member_id].len() >= a[&receiver.member_id].len() + 2 {
                        assert!(
                            a[&donor.member_id].iter().all(|tp| !receiver.subscribes(&tp.0)),
                            "seed {seed}: {} could give to {}: {a:?}",
                            donor.member_id,
                            receiver.member_id
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn generated_cooperative_rounds_converge() {
        for seed in 0..300 {
            let case = generate(seed);
            let mut members = case.members.clone();
            let mut rounds = 0;
            loop {
                let (a, held) = cooperative_assign(&case.ppt, &members);
                rounds += 1;
                if held.is_empty() {
                    check_valid(&case, &a, &held, &format!("seed {seed} converged"));
                    if case.identical {
                        assert!(spread(&a) <= 1, "seed {seed}");
                    }
                    break;
                }
                assert!(rounds < 5, "seed {seed}: no convergence");
                members = owning(&members, &a, 3 + rounds);
            }
            if case.identical {
                assert!(rounds <= 2, "seed {seed}: identical subscriptions settle in two rounds, took {rounds}");
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_member_input_order() {
        for seed in 0..200 {
            let case = generate(seed);
            let mut reversed = case.members.clone();
            reversed.reverse();
            for strategy in Strategy::ALL {
                let a = assign(strategy, &case.ppt, &case.members);
                let b = assign(strategy, &case.ppt, &reversed);
                assert_eq!(as_sets(&a), as_sets(&b), "seed {seed} {strategy}");
            }
        }
    }

    #[test]
    fn degenerate_inputs() {
        let ppt = topics(&[("t", 2), ("unused", 5)]);
        for strategy in Strategy::ALL {
            assert!(assign(strategy, &ppt, &[]).is_empty());
            // Subscribed topic that does not exist; unsubscribed topic not handed out.
            let a = assign(strategy, &ppt, &[MemberSub::new("a", &["missing"])]);
            assert_assignment(&a, &[("a", &[])]);
            // Duplicate member id: first entry wins.
            let a = assign(strategy, &ppt, &[MemberSub::new("a", &["t"]), MemberSub::new("a", &["unused"])]);
            assert_assignment(&a, &[("a", &[("t", 0), ("t", 1)])]);
            // More members than partitions.
            let many: Vec<MemberSub> = (1..=4).map(|i| MemberSub::new(&format!("c{i}"), &["t"])).collect();
            let a = assign(strategy, &ppt, &many);
            assert_eq!(a.values().map(Vec::len).sum::<usize>(), 2);
        }
    }
}
