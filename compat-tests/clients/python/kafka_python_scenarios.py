"""kafka-python scenarios for KafkaPythonIT.

Usage: kafka_python_scenarios.py SCENARIO BOOTSTRAP TOPIC [ARGS...]
Each scenario prints one line "RESULT <json>" on stdout describing what the client observed; the Java
test compares it with what kafka-clients reads from the broker. Every wait is bounded.
"""
import json
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

TIMEOUT_S = 45
COMMON = {"request_timeout_ms": 30000, "api_version_auto_timeout_ms": 10000}


def text(b):
    return b.decode() if b is not None else None


def admin(bootstrap, topic, partitions):
    client = KafkaAdminClient(bootstrap_servers=bootstrap, **COMMON)
    client.create_topics([NewTopic(name=topic, num_partitions=int(partitions), replication_factor=1)],
                         timeout_ms=30000)
    deadline = time.time() + TIMEOUT_S
    while topic not in client.list_topics() and time.time() < deadline:
        time.sleep(0.2)
    listed = topic in client.list_topics()
    described = client.describe_topics([topic])
    client.close()
    return {"listed": listed, "partitions": sorted(p["partition"] for p in described[0]["partitions"])}


def produce(bootstrap, topic, count, compression="none"):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                             compression_type=None if compression == "none" else compression, **COMMON)
    futures = []
    for i in range(int(count)):
        key, value = "key-%d" % (i % 7), "value-%d" % i
        futures.append((key, value, producer.send(topic, key=key.encode(), value=value.encode(),
                                                    headers=[("seq", str(i).encode())])))
    producer.flush(timeout=TIMEOUT_S)
    reports = []
    for key, value, future in futures:
        md = future.get(timeout=TIMEOUT_S)
        reports.append({"partition": md.partition, "offset": md.offset, "key": key, "value": value})
    producer.close(timeout=TIMEOUT_S)
    return {"reports": reports}


def consume(consumer, expected):
    records = []
    deadline = time.time() + TIMEOUT_S
    while len(records) < expected and time.time() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            for msg in batch:
                records.append({"partition": msg.partition, "offset": msg.offset, "key": text(msg.key),
                                "value": text(msg.value)})
    return records


def group(bootstrap, topic, group_id, expected):
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group_id, auto_offset_reset="earliest",
                             enable_auto_commit=False, session_timeout_ms=10000, heartbeat_interval_ms=1000,
                             **COMMON)
    records = consume(consumer, int(expected))
    consumer.commit()
    committed = {str(tp.partition): consumer.committed(tp) for tp in consumer.assignment()}
    consumer.close()
    return {"records": records, "committed": committed}


def seek(bootstrap, topic, partition, offset, expected):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **COMMON)
    tp = TopicPartition(topic, int(partition))
    consumer.assign([tp])
    consumer.seek(tp, int(offset))
    records = consume(consumer, int(expected))
    position = consumer.position(tp)
    end = consumer.end_offsets([tp])[tp]
    consumer.close()
    return {"records": records, "position": position, "end": end}


def main():
    scenario, args = sys.argv[1], sys.argv[2:]
    result = {"admin": admin, "produce": produce, "group": group, "seek": seek}[scenario](*args)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
