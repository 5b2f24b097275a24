"""Sekisho: the AWS IAM and STS APIs as a server you run yourself."""
