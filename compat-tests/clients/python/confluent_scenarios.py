"""confluent-kafka-python (librdkafka) scenarios for ConfluentKafkaPythonIT.

Usage: confluent_scenarios.py SCENARIO BOOTSTRAP TOPIC [ARGS...]
Each scenario prints one line "RESULT <json>" on stdout describing what the client observed; the Java
test compares it with what kafka-clients reads from the broker. Every wait is bounded.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TIMEOUT_S = 45


def admin(bootstrap, topic, partitions):
    client = AdminClient({"bootstrap.servers": bootstrap})
    futures = client.create_topics([NewTopic(topic, num_partitions=int(partitions), replication_factor=1)],
                                   operation_timeout=30)
    futures[topic].result(timeout=TIMEOUT_S)
    deadline = time.time() + TIMEOUT_S
    while True:
        md = client.list_topics(timeout=TIMEOUT_S)
        if topic in md.topics and len(md.topics[topic].partitions) == int(partitions) or time.time() > deadline:
            break
        time.sleep(0.2)
    listed = md.topics.get(topic)
    return {"listed": topic in md.topics,
            "partitions": sorted(listed.partitions.keys()) if listed else [],
            "leaders_known": bool(listed) and all(p.leader in md.brokers for p in listed.partitions.values())}


def produce(bootstrap, topic, count, compression="none"):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                         "linger.ms": 5, "message.timeout.ms": 30000, "compression.type": compression})
    reports = []

    def on_delivery(err, msg):
        reports.append({"error": str(err) if err else None, "partition": msg.partition(), "offset": msg.offset(),
                        "key": msg.key().decode(), "value": msg.value().decode()})

    for i in range(int(count)):
        producer.produce(topic, key="key-%d" % (i % 7), value="value-%d" % i, headers=[("seq", str(i))],
                         on_delivery=on_delivery)
        producer.poll(0)
    remaining = producer.flush(TIMEOUT_S)
    return {"undelivered": remaining, "reports": reports}


def group(bootstrap, topic, group_id, expected):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group_id, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False, "session.timeout.ms": 10000})
    consumer.subscribe([topic])
    records = []
    deadline = time.time() + TIMEOUT_S
    while len(records) < int(expected) and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            raise KafkaException(msg.error())
        records.append({"partition": msg.partition(), "offset": msg.offset(),
                        "key": msg.key().decode() if msg.key() is not None else None,
                        "value": msg.value().decode() if msg.value() is not None else None})
    consumer.commit(asynchronous=False)
    assignment = consumer.assignment()
    committed = consumer.committed(assignment, timeout=TIMEOUT_S)
    consumer.close()
    return {"records": records, "committed": {str(tp.partition): tp.offset for tp in committed}}


def transactions(bootstrap, topic):
    """Three transactions (commit, abort, commit) of five records each, then what a read_committed and a
    read_uncommitted consumer read from the partition, up to its end."""
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": topic + "-txn",
                         "transaction.timeout.ms": 30000})
    producer.init_transactions(TIMEOUT_S)  # the first one also waits for __transaction_state to be created
    for name, commit in (("committed-a", True), ("aborted", False), ("committed-b", True)):
        producer.begin_transaction()
        for i in range(5):
            producer.produce(topic, key="k", value="%s-%d" % (name, i))
        producer.flush(TIMEOUT_S)  # abort_transaction would purge records still queued in librdkafka
        if commit:
            producer.commit_transaction(TIMEOUT_S)
        else:
            producer.abort_transaction(TIMEOUT_S)
    return {"read_committed": read_to_end(bootstrap, topic, "read_committed"),
            "read_uncommitted": read_to_end(bootstrap, topic, "read_uncommitted")}


def read_to_end(bootstrap, topic, isolation):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": topic + "-" + isolation,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "isolation.level": isolation, "enable.partition.eof": True})
    consumer.assign([TopicPartition(topic, 0, 0)])
    values = []
    deadline = time.time() + TIMEOUT_S
    while time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                break
            raise KafkaException(msg.error())
        values.append(msg.value().decode())
    consumer.close()
    return values


def main():
    scenario, args = sys.argv[1], sys.argv[2:]
    result = {"admin": admin, "produce": produce, "group": group,
                                   "transactions": transactions}[scenario](*args)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
