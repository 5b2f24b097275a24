"""Service-linked roles: which name, trust principal and managed policy each service uses.

A service-linked role lives under `/aws-service-role/SERVICE/`, is named as
the service chose (`AWSServiceRoleForAutoScaling` for
`autoscaling.amazonaws.com`), trusts only that service principal, and carries
the AWS managed policy the service defined for it (IAM User Guide, "Using
service-linked roles", and each service's own page on its service-linked
role). A few services accept a `CustomSuffix`, appended after `_`
(`AWSServiceRoleForAutoScaling_web`), so that one account can hold several.

    linked_role("autoscaling.amazonaws.com", "web", "aws")
        -> LinkedRole(name="AWSServiceRoleForAutoScaling_web",
                      path="/aws-service-role/autoscaling.amazonaws.com/",
                      policy_arns=("arn:aws:iam::aws:policy/aws-service-role/Auto...",), ...)

Services missing from the table but named like an AWS service principal
(`*.amazonaws.com`) get the generic form AWS uses for most services
(`AWSServiceRoleFor` + the capitalised first label) and no managed policy:
an approximation, so that tools creating roles for newer services still work.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sekisho.errors import InvalidInput

PATH_PREFIX = "/aws-service-role/"
NAME_PREFIX = "AWSServiceRoleFor"
MAX_ROLE_NAME = 64
_SERVICE_SUFFIX = ".amazonaws.com"


@dataclass(frozen=True)
class ServiceRole:
    """What one service defines for its service-linked role."""

    name: str  # the role name without a custom suffix
    policy: str | None  # the AWS managed policy's name under `policy/aws-service-role/`
    custom_suffix: bool = False  # whether CreateServiceLinkedRole accepts CustomSuffix


# Service principal -> its service-linked role, from the services' documentation.
SERVICES: dict[str, ServiceRole] = {
    "access-analyzer.amazonaws.com": ServiceRole("AWSServiceRoleForAccessAnalyzer",
                                                 "AccessAnalyzerServiceRolePolicy"),
    "acm.amazonaws.com": ServiceRole("AWSServiceRoleForCertificateManager",
                                     "CertificateManagerServiceRolePolicy"),
    "autoscaling.amazonaws.com": ServiceRole("AWSServiceRoleForAutoScaling",
                                             "AutoScalingServiceRolePolicy", custom_suffix=True),
    "backup.amazonaws.com": ServiceRole("AWSServiceRoleForBackup",
                                        "AWSBackupServiceLinkedRolePolicyForBackup"),
    "batch.amazonaws.com": ServiceRole("AWSServiceRoleForBatch", "BatchServiceRolePolicy"),
    "cloudtrail.amazonaws.com": ServiceRole("AWSServiceRoleForCloudTrail",
                                            "CloudTrailServiceRolePolicy"),
    "config.amazonaws.com": ServiceRole("AWSServiceRoleForConfig",
                                        "AWSConfigServiceRolePolicy"),
    "connect.amazonaws.com": ServiceRole("AWSServiceRoleForAmazonConnect",
                                         "AmazonConnectServiceLinkedRolePolicy",
                                         custom_suffix=True),
    "dynamodb.application-autoscaling.amazonaws.com": ServiceRole(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AWSApplicationAutoscalingDynamoDBTablePolicy"),
    "ecs.amazonaws.com": ServiceRole("AWSServiceRoleForECS", "AmazonECSServiceRolePolicy"),
    "ecs.application-autoscaling.amazonaws.com": ServiceRole(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AWSApplicationAutoscalingECSServicePolicy"),
    "eks.amazonaws.com": ServiceRole("AWSServiceRoleForAmazonEKS",
                                     "AmazonEKSServiceRolePolicy"),
    "eks-fargate.amazonaws.com": ServiceRole("AWSServiceRoleForAmazonEKSForFargate",
                                             "AmazonEKSForFargateServiceRolePolicy"),
    "eks-nodegroup.amazonaws.com": ServiceRole("AWSServiceRoleForAmazonEKSNodegroup",
                                               "AWSServiceRoleForAmazonEKSNodegroup"),
    "elasticache.amazonaws.com": ServiceRole("AWSServiceRoleForElastiCache",
                                             "ElastiCacheServiceRolePolicy"),
    "elasticbeanstalk.amazonaws.com": ServiceRole("AWSServiceRoleForElasticBeanstalk",
                                                  "AWSElasticBeanstalkServiceRolePolicy"),
    "elasticfilesystem.amazonaws.com": ServiceRole(
        "AWSServiceRoleForAmazonElasticFileSystem", "AmazonElasticFileSystemServiceRolePolicy"),
    "elasticloadbalancing.amazonaws.com": ServiceRole(
        "AWSServiceRoleForElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy"),
    "elasticmapreduce.amazonaws.com": ServiceRole("AWSServiceRoleForEMRCleanup",
                                                  "AmazonEMRCleanupPolicy"),
    "es.amazonaws.com": ServiceRole("AWSServiceRoleForAmazonElasticsearchService",
                                    "AmazonElasticsearchServiceRolePolicy"),
    "guardduty.amazonaws.com": ServiceRole("AWSServiceRoleForAmazonGuardDuty",
                                           "AmazonGuardDutyServiceRolePolicy"),
    "kafka.amazonaws.com": ServiceRole("AWSServiceRoleForKafka", "KafkaServiceRolePolicy"),
    "lexv2.amazonaws.com": ServiceRole("AWSServiceRoleForLexV2Bots", "AmazonLexV2BotPolicy",
                                       custom_suffix=True),
    "opensearchservice.amazonaws.com": ServiceRole(
        "AWSServiceRoleForAmazonOpenSearchService", "AmazonOpenSearchServiceRolePolicy"),
    "organizations.amazonaws.com": ServiceRole("AWSServiceRoleForOrganizations",
                                               "AWSOrganizationsServiceTrustPolicy"),
    "ram.amazonaws.com": ServiceRole("AWSServiceRoleForResourceAccessManager",
                                     "AWSResourceAccessManagerServiceRolePolicy"),
    "rds.amazonaws.com": ServiceRole("AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy"),
    "redshift.amazonaws.com": ServiceRole("AWSServiceRoleForRedshift",
                                          "AmazonRedshiftServiceLinkedRolePolicy"),
    "securityhub.amazonaws.com": ServiceRole("AWSServiceRoleForSecurityHub",
                                             "AWSSecurityHubServiceRolePolicy"),
    "spot.amazonaws.com": ServiceRole("AWSServiceRoleForEC2Spot", "AWSEC2SpotServiceRolePolicy"),
    "spotfleet.amazonaws.com": ServiceRole("AWSServiceRoleForEC2SpotFleet",
                                           "AWSEC2SpotFleetServiceRolePolicy"),
    "ssm.amazonaws.com": ServiceRole("AWSServiceRoleForAmazonSSM", "AmazonSSMServiceRolePolicy"),
    "sso.amazonaws.com": ServiceRole("AWSServiceRoleForSSO", "AWSSSOServiceRolePolicy"),
    "support.amazonaws.com": ServiceRole("AWSServiceRoleForSupport",
                                         "AWSSupportServiceRolePolicy"),
    "trustedadvisor.amazonaws.com": ServiceRole("AWSServiceRoleForTrustedAdvisor",
                                                "AWSTrustedAdvisorServiceRolePolicy"),
}


@dataclass(frozen=True)
class LinkedRole:
    """The role CreateServiceLinkedRole creates for one request."""

    service: str
    name: str
    path: str
    trust_policy: str
    policy_arns: tuple[str, ...]


def service_role(service: str) -> ServiceRole:
    """The table entry for `service`, or the generic form for an unlisted `*.amazonaws.com`.

    Raises InvalidInput for a name that is no AWS service principal.
    """
    known = SERVICES.get(service.lower())
    if known is not None:
        return known
    label = service.lower().removesuffix(_SERVICE_SUFFIX)
    if not service.lower().endswith(_SERVICE_SUFFIX) or not label:
        # Not confirmed against AWS: the wording for a service that has no service-linked role.
        raise InvalidInput(f"Invalid service name: {service}")
    first = label.split(".")[0]
    return ServiceRole(NAME_PREFIX + first[:1].upper() + first[1:], None, custom_suffix=True)


def trust_policy(service: str) -> str:
    """A trust policy that lets only the service principal assume the role."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": [service]},
                       "Action": ["sts:AssumeRole"]}],
    })


def linked_role(service: str, custom_suffix: str | None, partition: str) -> LinkedRole:
    """The role to create for `service`; raises InvalidInput as AWS does.

    A suffix for a service that takes none: "Custom suffix is not allowed for
    es.amazonaws.com" (AWS's wording, quoted in public Terraform issues).
    """
    entry = service_role(service)
    name = entry.name
    if custom_suffix is not None:
        if not entry.custom_suffix:
            raise InvalidInput(f"Custom suffix is not allowed for {service}")
        name = f"{name}_{custom_suffix}"
    if len(name) > MAX_ROLE_NAME:
        raise InvalidInput(f"The role name {name} is longer than {MAX_ROLE_NAME} characters.")
    policies = () if entry.policy is None else (
        f"arn:{partition}:iam::aws:policy/aws-service-role/{entry.policy}",)
    return LinkedRole(service, name, f"{PATH_PREFIX}{service}/", trust_policy(service), policies)


def taken(name: str) -> InvalidInput:
    """AWS's answer when the account holds a role of that name already."""
    return InvalidInput(f"Service role name {name} has been taken in this account, please try "
                        "a different suffix.")
