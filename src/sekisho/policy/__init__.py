"""The IAM policy language: parse, compile, evaluate, authorize, explain.

Standard library only; no I/O. Layers (each module imports only those above):

    errors, wildcard, variables   messages, matchers, policy variables
    conditions                    condition operators
    model                         PolicyKind, Principal, Request, PolicySet, Decision
    compiled                      CompiledPolicy, CompiledStatement, StatementIndex
    parser                        parse_policy, policy_size
    authorize                     authorize (evaluation logic across policy types)
    validate, cases               validate_policy (lint), evaluate_case (JSON cases)
"""

from sekisho.policy.authorize import authorize, explain_decision
from sekisho.policy.cases import (
    CaseError,
    decide_case,
    evaluate_case,
    is_trust_action,
    needs_resource_policy,
)
from sekisho.policy.compiled import CompiledPolicy, CompiledStatement
from sekisho.policy.errors import PolicyParseError
from sekisho.policy.model import (
    Decision,
    MatchedStatement,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
)
from sekisho.policy.parser import parse_policy, policy_size
from sekisho.policy.validate import Finding, validate_policy

__all__ = [
    "CaseError",
    "CompiledPolicy",
    "CompiledStatement",
    "Decision",
    "Finding",
    "MatchedStatement",
    "PolicyKind",
    "PolicyParseError",
    "PolicySet",
    "Principal",
    "Request",
    "authorize",
    "decide_case",
    "evaluate_case",
    "explain_decision",
    "is_trust_action",
    "needs_resource_policy",
    "parse_policy",
    "policy_size",
    "validate_policy",
]
