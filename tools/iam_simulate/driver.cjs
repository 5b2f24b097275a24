#!/usr/bin/env node
// Differential-testing oracle for Sekisho's policy engine.
//
// Usage: node driver.cjs INSTALL_DIR < cases.json
//
// INSTALL_DIR is a folder whose node_modules holds @cloud-copilot/iam-simulate (installed from
// tools/iam_simulate/package.json by tests/policy/differential/oracle.py). stdin is one JSON list
// of cases in the format of `sekisho policy evaluate` (issue 3, item 7). stdout gets one JSON line
// per case, in input order:
//   {"id": ..., "decision": "allow" | "explicit-deny" | "implicit-deny" | null,
//    "error": null | "...", "ignored_context_keys": [...]}
// All cases run in this one process; a case the simulator rejects gets decision null and an
// error, it never stops the run.
'use strict';

const path = require('node:path');
const { createRequire } = require('node:module');

const installDir = process.argv[2];
if (!installDir) {
  process.stderr.write('usage: node driver.cjs INSTALL_DIR < cases.json\n');
  process.exit(2);
}
const requireFromInstall = createRequire(path.join(path.resolve(installDir), 'package.json'));
const sim = requireFromInstall('@cloud-copilot/iam-simulate');

const DECISIONS = {
  Allowed: 'allow',
  ExplicitlyDenied: 'explicit-deny',
  ImplicitlyDenied: 'implicit-deny'
};

// The root user's identity carries every permission of its account; AWS only restricts it with
// SCPs (and resource-side controls). iam-simulate has no notion of root, so we hand it the
// equivalent identity policy.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
const ROOT_IDENTITY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }]
};

function asList(value) {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

// RCPFullAWSAccess is attached to every level by AWS Organizations and cannot be detached;
// iam-simulate adds it to every level itself and rejects Allow statements in RCPs, so the
// cases carry it explicitly and the driver leaves it out.
function isRcpFullAccess(doc) {
  const statements = asList(doc && doc.Statement);
  return (
    statements.length === 1 &&
    statements[0].Effect === 'Allow' &&
    statements[0].Principal === '*' &&
    statements[0].Action === '*' &&
    statements[0].Resource === '*' &&
    statements[0].Condition === undefined
  );
}

function orgLevels(levels, prefix, keep) {
  return asList(levels).map((level, index) => ({
    orgIdentifier: `${prefix}-${index}`,
    policies: asList(level)
      .filter(keep)
      .map((policy, j) => ({ name: `${prefix}-${index}-${j}`, policy }))
  }));
}

// Several session policies (one inline plus managed ones) act as one: the session may do what
// any of them allows. iam-simulate takes a single document, so their statements are joined.
function mergeSessionPolicies(docs) {
  if (docs.length === 0) return undefined;
  if (docs.length === 1) return docs[0];
  return {
    Version: docs[0].Version,
    Statement: docs.flatMap((doc) => asList(doc.Statement))
  };
}

function toSimulation(testCase) {
  const request = testCase.request;
  const policies = testCase.policies;
  const principal = request.principal;
  const type = principal.type;
  // SCPs never restrict service-linked roles, principals of the management account, service
  // principals or anonymous callers (they restrict only IAM principals of member accounts).
  // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
  const scpExempt =
    principal.service_linked_role === true ||
    principal.org_management_account === true ||
    type === 'service' ||
    type === 'anonymous';
  let identity = asList(policies.identity);
  if (type === 'root') identity = [ROOT_IDENTITY_POLICY, ...identity];
  const simulation = {
    request: {
      principal: type === 'anonymous' ? sim.anonymousPrincipal : principal.arn,
      action: request.action,
      resource: { resource: request.resource, accountId: policies.resource_account },
      contextVariables: request.context || {}
    },
    identityPolicies: type === 'anonymous' ? [] : identity.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: scpExempt ? [] : orgLevels(policies.scp, 'scp', () => true),
    resourceControlPolicies: orgLevels(policies.rcp, 'rcp', (doc) => !isRcpFullAccess(doc))
  };
  if (policies.resource) simulation.resourcePolicy = policies.resource;
  if (policies.boundary && type !== 'anonymous') {
    simulation.permissionBoundaryPolicies = [{ name: 'boundary', policy: policies.boundary }];
  }
  const session = mergeSessionPolicies(asList(policies.session));
  if (session && type !== 'anonymous') simulation.sessionPolicy = session;
  return simulation;
}

async function decide(testCase) {
  const simulation = toSimulation(testCase);
  const response = await sim.runSimulation(simulation, {});
  if (response.resultType === 'error') {
    return { decision: null, error: JSON.stringify(response.errors), ignored_context_keys: [] };
  }
  const ignored = response.resultType === 'single' ? response.result.ignoredContextKeys || [] : [];
  const decision = DECISIONS[response.overallResult];
  if (!decision) {
    return { decision: null, error: `unexpected result ${response.overallResult}`, ignored_context_keys: ignored };
  }
  return { decision, error: null, ignored_context_keys: ignored };
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const lines = [];
  for (const testCase of cases) {
    let outcome;
    try {
      outcome = await decide(testCase);
    } catch (err) {
      outcome = { decision: null, error: `exception: ${err && err.stack ? err.stack : err}`, ignored_context_keys: [] };
    }
    lines.push(JSON.stringify({ id: testCase.id, ...outcome }));
  }
  process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
