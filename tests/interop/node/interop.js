'use strict';
// Interop driver for the C# tests. Two modes, both reading a manifest of {topic, subject, schemaFile, recordsFile?}:
//   node interop.js produce --bootstrap B --registry URL --manifest M
//     registers each schema under its subject and produces the neutral-JSON records as Confluent-framed Avro
//   node interop.js consume --bootstrap B --registry URL --manifest M --count N
//     consumes N records per topic from the beginning and prints {"topic":..,"value":<neutral JSON>} per line
//   node interop.js join-leave --bootstrap B --topic T --group G
//     joins the group, leaves it, and prints {"joined":bool,"leaveErrors":[...]} (what kafkajs logged while leaving)
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const { logicalTypes, toNeutral, fromNeutral, avsc } = require('./avro-json');

function args() {
  const out = { mode: process.argv[2] };
  for (let i = 3; i < process.argv.length; i += 2) out[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
  return out;
}

async function main() {
  const a = args();
  if (a.mode === 'join-leave') return joinAndLeave(a);
  const manifest = JSON.parse(fs.readFileSync(a.manifest, 'utf8'));
  const kafka = new Kafka({ clientId: 'c360-interop-node', brokers: a.bootstrap.split(','), logLevel: logLevel.ERROR });
  const registry = new SchemaRegistry({ host: a.registry }, { [SchemaType.AVRO]: { logicalTypes } });

  if (a.mode === 'produce') {
    const producer = kafka.producer();
    await producer.connect();
    for (const entry of manifest) {
      const schemaText = fs.readFileSync(entry.schemaFile, 'utf8');
      const type = avsc.Type.forSchema(JSON.parse(schemaText), { logicalTypes });
      const { id } = await registry.register({ type: SchemaType.AVRO, schema: schemaText }, { subject: entry.subject });
      const lines = fs.readFileSync(entry.recordsFile, 'utf8').split('\n').filter((l) => l.trim().length > 0);
      const messages = [];
      for (const line of lines) {
        messages.push({ key: entry.subject, value: await registry.encode(id, fromNeutral(type, JSON.parse(line))) });
      }
      await producer.send({ topic: entry.topic, messages });
      process.stderr.write(`produced ${messages.length} to ${entry.topic} with schema id ${id}\n`);
    }
    await producer.disconnect();
  } else if (a.mode === 'consume') {
    const want = Number(a.count) * manifest.length;
    const byTopic = new Map(manifest.map((e) => [e.topic, e]));
    const consumer = kafka.consumer({ groupId: a.group, maxWaitTimeInMs: 50, sessionTimeout: 10000, heartbeatInterval: 1000 });
    await consumer.connect();
    for (const entry of manifest) await consumer.subscribe({ topic: entry.topic, fromBeginning: true });
    let seen = 0;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${seen} of ${want} records`)), 60000);
      consumer.run({
        eachMessage: async ({ topic, message }) => {
          const entry = byTopic.get(topic);
          const type = avsc.Type.forSchema(JSON.parse(fs.readFileSync(entry.schemaFile, 'utf8')), { logicalTypes });
          const decoded = await registry.decode(message.value);
          process.stdout.write(JSON.stringify({ topic, value: toNeutral(type, decoded) }) + '\n');
          if (++seen >= want) { clearTimeout(timer); resolve(); }
        },
      }).catch(reject);
    });
    await consumer.disconnect();
  } else {
    throw new Error('mode must be produce or consume');
  }
}

async function joinAndLeave(a) {
  const errors = [];
  let leaving = false;
  const logCreator = () => ({ level, log }) => {
    if (leaving && level <= logLevel.WARN) errors.push(log.message + (log.error ? `: ${log.error}` : ''));
  };
  const kafka = new Kafka({ clientId: 'c360-interop-leave', brokers: a.bootstrap.split(','), logLevel: logLevel.WARN, logCreator });
  const consumer = kafka.consumer({ groupId: a.group, maxWaitTimeInMs: 50, sessionTimeout: 10000, heartbeatInterval: 1000 });
  let joined = false;
  const joinedOnce = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => { joined = true; resolve(); }));
  await consumer.connect();
  await consumer.subscribe({ topic: a.topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => {} });
  await Promise.race([joinedOnce, new Promise((resolve) => setTimeout(resolve, 30000))]);
  leaving = true;
  await consumer.disconnect();
  process.stdout.write(JSON.stringify({ joined, leaveErrors: errors }) + '\n');
}

main().then(() => process.exit(0), (err) => { process.stderr.write(String(err && err.stack || err) + '\n'); process.exit(1); });
