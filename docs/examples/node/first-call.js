#!/usr/bin/env node
// A PartnerExchange client in Node.js, with no generated code: @grpc/proto-loader reads the contract in
// protos/ when the program starts and @grpc/grpc-js makes the calls. It builds the demo's ShopMart → Sky Air
// corner of the network through the Admin API (operator key), then makes README's first call: a conversion,
// the same conversion again (a replay), and an accrual from a purchase.
//
//   PX_ADDRESS=http://127.0.0.1:5080 PX_OPERATOR_KEY=… node first-call.js
//
// Run it against a fresh exchange or the demo network (tools/demo.sh with PX_OPERATOR_KEY set): what exists
// already is kept. Exit code 0 when every call answered as README says; 1 otherwise.
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

// README's "A first call" request bodies, verbatim: a test (ReadmeFirstCallTests) checks that README still
// prints exactly these, so the example runs what a newcomer copies.
const FIRST_CONVERT =
  '{"idempotency_key":"first-convert","source_member_number":"S300","destination_program_code":"SKYAIR","destination_member_number":"A100","source_points":5000}';
const FIRST_ACCRUE =
  '{"idempotency_key":"order-1","member_number":"S300","purchase":{"currency_code":"USD","amount_minor":12999},"reason":"ACCRUAL_REASON_PURCHASE","reference":"order-1"}';

const PROTOS = process.env.PX_PROTOS || path.resolve(__dirname, '../../../protos');

function loadServices() {
  const files = ['admin', 'points', 'conversion'].map((name) => `partnerexchange/v1/${name}.proto`);
  const definition = protoLoader.loadSync(files, {
    includeDirs: [PROTOS],
    keepCase: true, // proto field names, as in README's JSON bodies
    longs: String, // int64 as decimal strings: points and micros never lose precision
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).partnerexchange.v1;
}

// A client of one service that sends `authorization: Bearer <key>` on every call.
function connect(Service, address, key) {
  const url = new URL(address.includes('://') ? address : `http://${address}`);
  const channel = url.protocol === 'https:' ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
  const client = new Service(url.host, channel);
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  return (method, request) =>
    new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + 10_000);
      client[method](request, metadata, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
    });
}

// The reason of a refusal: the ErrorInfo the exchange attaches as `grpc-status-details-bin` carries it too,
// but the status message and code are enough to tell "already there" from a failure here.
async function unlessExists(call) {
  try {
    return await call();
  } catch (error) {
    if (error.code === grpc.status.ALREADY_EXISTS) {
      return null;
    }
    throw error;
  }
}

async function buildNetwork(admin) {
  const partners = [
    { program_code: 'SKYAIR', display_name: 'Sky Air', program_name: 'SkyMiles', kind: 'PARTNER_KIND_AIRLINE', point_price_micros: 12000 },
    {
      program_code: 'SHOPMART', display_name: 'ShopMart', program_name: 'ShopMart Points', kind: 'PARTNER_KIND_RETAILER',
      point_price_micros: 8000, earn_rule: { currency_code: 'USD', points: 2, per_amount_minor: 100 },
    },
  ];
  for (const partner of partners) {
    await unlessExists(() => admin('CreatePartner', {
      idempotency_key: `example-partner-${partner.program_code}`, settlement_currency_code: 'USD', ...partner,
    }));
  }
  // 1,000 ShopMart points buy 800 SkyMiles, in steps of 500, for a 10-point fee (the demo's rate).
  await admin('SetExchangeRate', {
    idempotency_key: 'example-rate-SHOPMART-SKYAIR', from_program_code: 'SHOPMART', to_program_code: 'SKYAIR',
    from_points: 1000, to_points: 800, min_source_points: 1000, max_source_points: 1000000, increment_points: 500,
    member_fee_points: 10, enabled: true,
  });
  const keys = {};
  for (const code of ['SHOPMART', 'SKYAIR']) {
    // A key's secret is shown once, so each run asks for a new one.
    const created = await admin('CreateApiKey', {
      idempotency_key: `example-key-${code}-${Date.now()}`, role: 'API_KEY_ROLE_PARTNER', program_code: code, label: 'node example',
    });
    keys[code] = created.secret;
  }
  return keys;
}

async function main() {
  const address = process.env.PX_ADDRESS || 'http://127.0.0.1:5080';
  const operatorKey = process.env.PX_OPERATOR_KEY;
  if (!operatorKey) {
    throw new Error('Set PX_OPERATOR_KEY to the exchange\'s operator key.');
  }
  const v1 = loadServices();
  const keys = await buildNetwork(connect(v1.AdminService, address, operatorKey));
  const shopmart = connect(v1.PointsService, address, keys.SHOPMART);
  const skyair = connect(v1.PointsService, address, keys.SKYAIR);
  const conversions = connect(v1.ConversionService, address, keys.SHOPMART);

  await unlessExists(() => shopmart('EnrollMember', { idempotency_key: 'example-enroll-S300', member_number: 'S300' }));
  await unlessExists(() => skyair('EnrollMember', { idempotency_key: 'example-enroll-A100', member_number: 'A100' }));
  await shopmart('Accrue', {
    idempotency_key: 'example-welcome-S300', member_number: 'S300', points: 50000, reason: 'ACCRUAL_REASON_PROMOTION', reference: 'welcome',
  });

  const converted = await conversions('Convert', JSON.parse(FIRST_CONVERT));
  console.log(`convert: source_points=${converted.source_points} fee_points=${converted.fee_points} ` +
    `destination_points=${converted.destination_points} settlement_amount_micros=${converted.settlement_amount_micros} ` +
    `transaction=${converted.transaction.transaction_id}`);
  const again = await conversions('Convert', JSON.parse(FIRST_CONVERT));
  const replayed = again.transaction.transaction_id === converted.transaction.transaction_id;
  console.log(`convert again: same transaction=${replayed}`);
  const accrued = await shopmart('Accrue', JSON.parse(FIRST_ACCRUE));
  console.log(`accrue: points=${accrued.transaction.points} balance_points=${accrued.balance_points}`);

  const asReadmeSays = converted.source_points === '5000' && converted.fee_points === '10' &&
    converted.destination_points === '4000' && converted.settlement_amount_micros === '48000000' && replayed &&
    accrued.transaction.points === '259';
  if (!asReadmeSays) {
    throw new Error('The first call did not answer as README says.');
  }
  console.log('first call: as README says');
}

main().catch((error) => {
  console.error(`first-call: ${error.code !== undefined ? `${grpc.status[error.code]}: ` : ''}${error.details || error.message}`);
  process.exitCode = 1;
});
