// kafkajs scenarios for KafkajsIT.
// Usage: node scenarios.js SCENARIO BOOTSTRAP TOPIC [ARGS...]
// Each scenario prints one line "RESULT <json>" describing what the client observed; the Java test compares it with
// what kafka-clients reads from the broker. Every wait is bounded.
'use strict';
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');

const TIMEOUT_MS = 45000;

function kafka(bootstrap) {
  return new Kafka({
    clientId: 'runnel-compat-kafkajs',
    brokers: [bootstrap],
    logLevel: logLevel.ERROR,
    connectionTimeout: 10000,
    requestTimeout: 30000,
    retry: { retries: 5 },
  });
}

async function admin(bootstrap, topic, partitions) {
  const client = kafka(bootstrap).admin();
  await client.connect();
  try {
    const created = await client.createTopics({
      topics: [{ topic, numPartitions: Number(partitions), replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 30000,
    });
    const listed = (await client.listTopics()).includes(topic);
    const md = await client.fetchTopicMetadata({ topics: [topic] });
    const t = md.topics.find((x) => x.name === topic);
    return {
      created,
      listed,
      partitions: t.partitions.map((p) => p.partitionId).sort((a, b) => a - b),
      leaders: t.partitions.map((p) => p.leader),
    };
  } finally {
    await client.disconnect();
  }
}

async function produce(bootstrap, topic, count, compression) {
  const producer = kafka(bootstrap).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const reports = [];
  try {
    for (let i = 0; i < Number(count); i++) {
      const key = `key-${i % 7}`;
      const value = `value-${i}`;
      const [md] = await producer.send({
        topic,
        acks: -1,
        compression: compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: [{ key, value, headers: { seq: String(i) } }],
      });
      reports.push({ partition: md.partition, offset: Number(md.baseOffset), key, value, errorCode: md.errorCode });
    }
  } finally {
    await producer.disconnect();
  }
  return { reports };
}

async function group(bootstrap, topic, groupId, expected) {
  const client = kafka(bootstrap);
  const consumer = client.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
  const records = [];
  const next = {};
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${records.length} of ${expected} records in time`)), TIMEOUT_MS);
      consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          records.push({
            partition,
            offset: Number(message.offset),
            key: message.key === null ? null : message.key.toString(),
            value: message.value === null ? null : message.value.toString(),
          });
          next[partition] = Number(message.offset) + 1;
          if (records.length >= Number(expected)) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
    await consumer.commitOffsets(Object.entries(next).map(([partition, offset]) => ({
      topic, partition: Number(partition), offset: String(offset),
    })));
  } finally {
    await consumer.disconnect();
  }
  const adminClient = client.admin();
  await adminClient.connect();
  try {
    const [fetched] = await adminClient.fetchOffsets({ groupId, topics: [topic] });
    const committed = {};
    fetched.partitions.forEach((p) => { committed[p.partition] = Number(p.offset); });
    return { records, committed };
  } finally {
    await adminClient.disconnect();
  }
}

const scenarios = { admin, produce, group };
const [scenario, ...args] = process.argv.slice(2);
scenarios[scenario](...args)
  .then((result) => {
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
  })
  .catch((e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  });
