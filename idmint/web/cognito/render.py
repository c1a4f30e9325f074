"""Domain objects -> Cognito response shapes (``UserPoolType``, ``UserPoolClientType``,
``UserType``, ``AuthenticationResultType``), and request fields -> domain specs."""

from __future__ import annotations

from typing import Any

from idmint.core.attributes import effective_schema
from idmint.core.model import (
    DEFAULT_RECOVERY,
    INVITATION_TEMPLATE,
    VERIFICATION_TEMPLATE,
    AppClient,
    AttributeSchema,
    AuthFlow,
    ClientSettings,
    CodeDelivery,
    Group,
    MessageTemplate,
    OAuthSettings,
    PasswordPolicy,
    PoolSettings,
    Tokens,
    User,
    UserPool,
    Validity,
)
from idmint.web.cognito.errors import CognitoError

# Request fields CreateUserPool maps onto the domain; every other field is kept and echoed.
_POOL_FIELDS = {
    "PoolName",
    "Policies",
    "UsernameAttributes",
    "AliasAttributes",
    "AutoVerifiedAttributes",
    "UsernameConfiguration",
    "Schema",
    "DeletionProtection",
    "VerificationMessageTemplate",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "SmsVerificationMessage",
    "AdminCreateUserConfig",
    "AccountRecoverySetting",
}
_CLIENT_FIELDS = {
    "UserPoolId",
    "ClientId",
    "ClientName",
    "GenerateSecret",
    "ExplicitAuthFlows",
    "AccessTokenValidity",
    "IdTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "ReadAttributes",
    "WriteAttributes",
    "AuthSessionValidity",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "SupportedIdentityProviders",
}
_LEGACY_FLOWS = {
    "ADMIN_NO_SRP_AUTH": AuthFlow.ADMIN_USER_PASSWORD,
    "USER_PASSWORD_AUTH": AuthFlow.USER_PASSWORD,
    "CUSTOM_AUTH_FLOW_ONLY": AuthFlow.CUSTOM,
}


def _int(value: object) -> int | None:
    """Cognito's schema constraints are numbers sent as strings."""
    if value is None:
        return None
    try:
        return int(str(value))
    except ValueError as exc:
        raise CognitoError(
            "InvalidParameterException", f"Invalid numeric constraint: {value}"
        ) from exc


def _verification_message(req: dict[str, Any]) -> MessageTemplate:
    """VerificationMessageTemplate, else the older top-level fields, else Cognito's defaults."""
    template = req.get("VerificationMessageTemplate") or {}
    if template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK":
        raise CognitoError(
            "InvalidParameterException",
            "CONFIRM_WITH_LINK is not supported by this server; use CONFIRM_WITH_CODE.",
        )
    default = VERIFICATION_TEMPLATE
    return MessageTemplate(
        email_subject=template.get("EmailSubject")
        or req.get("EmailVerificationSubject")
        or default.email_subject,
        email_message=template.get("EmailMessage")
        or req.get("EmailVerificationMessage")
        or default.email_message,
        sms_message=template.get("SmsMessage")
        or req.get("SmsVerificationMessage")
        or default.sms_message,
    )


def _invitation_message(config: dict[str, Any]) -> MessageTemplate:
    template = config.get("InviteMessageTemplate") or {}
    default = INVITATION_TEMPLATE
    return MessageTemplate(
        email_subject=template.get("EmailSubject") or default.email_subject,
        email_message=template.get("EmailMessage") or default.email_message,
        sms_message=template.get("SMSMessage") or default.sms_message,
    )


def _recovery(req: dict[str, Any]) -> tuple[str, ...]:
    mechanisms = (req.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms")
    if not mechanisms:
        return DEFAULT_RECOVERY
    ordered = sorted((m for m in mechanisms if m is not None), key=lambda m: m["Priority"])
    return tuple(m["Name"] for m in ordered)


def pool_settings(req: dict[str, Any]) -> PoolSettings:
    policy_in = (req.get("Policies") or {}).get("PasswordPolicy")
    if policy_in is None:
        policy = PasswordPolicy()
    else:
        policy = PasswordPolicy(
            minimum_length=policy_in.get("MinimumLength", 8),
            require_uppercase=policy_in.get("RequireUppercase", False),
            require_lowercase=policy_in.get("RequireLowercase", False),
            require_numbers=policy_in.get("RequireNumbers", False),
            require_symbols=policy_in.get("RequireSymbols", False),
            temporary_password_validity_days=policy_in.get("TemporaryPasswordValidityDays", 7),
        )
    schema = []
    for attr in req.get("Schema") or []:
        if attr is None:
            continue
        strings = attr.get("StringAttributeConstraints") or {}
        numbers = attr.get("NumberAttributeConstraints") or {}
        schema.append(
            AttributeSchema(
                name=attr["Name"],
                data_type=attr.get("AttributeDataType", "String"),
                mutable=attr.get("Mutable", True),
                required=attr.get("Required", False),
                developer_only=attr.get("DeveloperOnlyAttribute", False),
                min_length=_int(strings.get("MinLength")),
                max_length=_int(strings.get("MaxLength")),
                min_value=_int(numbers.get("MinValue")),
                max_value=_int(numbers.get("MaxValue")),
            )
        )
    case = req.get("UsernameConfiguration") or {}
    admin_create = req.get("AdminCreateUserConfig") or {}
    return PoolSettings(
        name=req["PoolName"],
        password_policy=policy,
        username_attributes=tuple(_strings(req.get("UsernameAttributes")) or ()),
        alias_attributes=tuple(_strings(req.get("AliasAttributes")) or ()),
        auto_verified_attributes=tuple(_strings(req.get("AutoVerifiedAttributes")) or ()),
        case_sensitive=case.get("CaseSensitive", True),
        schema=tuple(schema),
        deletion_protection=req.get("DeletionProtection") == "ACTIVE",
        verification_message=_verification_message(req),
        invitation_message=_invitation_message(admin_create),
        allow_admin_create_user_only=bool(admin_create.get("AllowAdminCreateUserOnly", False)),
        recovery_mechanisms=_recovery(req),
        extra={k: v for k, v in req.items() if k not in _POOL_FIELDS},
    )


def _schema_attribute(attr: AttributeSchema) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Name": attr.name,
        "AttributeDataType": attr.data_type,
        "DeveloperOnlyAttribute": attr.developer_only,
        "Mutable": attr.mutable,
        "Required": attr.required,
    }
    if attr.data_type == "String":
        out["StringAttributeConstraints"] = {
            k: str(v)
            for k, v in (("MinLength", attr.min_length), ("MaxLength", attr.max_length))
            if v is not None
        }
    elif attr.data_type == "Number":
        out["NumberAttributeConstraints"] = {
            k: str(v)
            for k, v in (("MinValue", attr.min_value), ("MaxValue", attr.max_value))
            if v is not None
        }
    return out


def pool_arn(pool: UserPool, account_id: str) -> str:
    region = pool.id.split("_", 1)[0]
    return f"arn:aws:cognito-idp:{region}:{account_id}:userpool/{pool.id}"


def pool_summary(pool: UserPool) -> dict[str, Any]:
    return {
        "Id": pool.id,
        "Name": pool.name,
        "LambdaConfig": pool.extra.get("LambdaConfig", {}),
        "CreationDate": pool.created_at,
        "LastModifiedDate": pool.updated_at,
    }


def pool_description(pool: UserPool, users: int, account_id: str) -> dict[str, Any]:
    p: PasswordPolicy = pool.password_policy
    verify, invite = pool.verification_message, pool.invitation_message
    out: dict[str, Any] = {
        **pool_summary(pool),
        "Arn": pool_arn(pool, account_id),
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": p.minimum_length,
                "RequireUppercase": p.require_uppercase,
                "RequireLowercase": p.require_lowercase,
                "RequireNumbers": p.require_numbers,
                "RequireSymbols": p.require_symbols,
                "TemporaryPasswordValidityDays": p.temporary_password_validity_days,
            }
        },
        "DeletionProtection": "ACTIVE" if pool.deletion_protection else "INACTIVE",
        "SchemaAttributes": [_schema_attribute(a) for a in effective_schema(pool)],
        "AutoVerifiedAttributes": list(pool.auto_verified_attributes),
        "UsernameConfiguration": {"CaseSensitive": pool.case_sensitive},
        "MfaConfiguration": "OFF",
        "EstimatedNumberOfUsers": users,
        "VerificationMessageTemplate": {
            "EmailSubject": verify.email_subject,
            "EmailMessage": verify.email_message,
            "SmsMessage": verify.sms_message,
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
        },
        "EmailVerificationSubject": verify.email_subject,
        "EmailVerificationMessage": verify.email_message,
        "SmsVerificationMessage": verify.sms_message,
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": pool.allow_admin_create_user_only,
            "UnusedAccountValidityDays": p.temporary_password_validity_days,
            "InviteMessageTemplate": {
                "EmailSubject": invite.email_subject,
                "EmailMessage": invite.email_message,
                "SMSMessage": invite.sms_message,
            },
        },
        "AccountRecoverySetting": {
            "RecoveryMechanisms": [
                {"Priority": i, "Name": name}
                for i, name in enumerate(pool.recovery_mechanisms, start=1)
            ]
        },
        "UserPoolTier": "ESSENTIALS",
    }
    if pool.username_attributes:
        out["UsernameAttributes"] = list(pool.username_attributes)
    if pool.alias_attributes:
        out["AliasAttributes"] = list(pool.alias_attributes)
    out.update(pool.extra)
    return out


def _validity(req: dict[str, Any], field: str, unit_key: str, default: Validity) -> Validity:
    amount = req.get(field)
    units = req.get("TokenValidityUnits") or {}
    if amount is None:
        return default
    return Validity(
        int(amount), units.get(unit_key, "days" if unit_key == "RefreshToken" else "hours")
    )


def _strings(items: list[str | None] | None) -> list[str] | None:
    """A list member without the nulls JSON allows in it (Cognito ignores them)."""
    return None if items is None else [i for i in items if i is not None]


def _unique(items: list[str | None] | None) -> tuple[str, ...]:
    """A list member without nulls or repeats, in the order given."""
    return tuple(dict.fromkeys(_strings(items) or ()))


def _oauth_settings(req: dict[str, Any]) -> OAuthSettings:
    """CreateUserPoolClient / UpdateUserPoolClient's OAuth members; omitted ones get Cognito's
    defaults (nothing set, AllowedOAuthFlowsUserPoolClient false)."""
    return OAuthSettings(
        callback_urls=_unique(req.get("CallbackURLs")),
        logout_urls=_unique(req.get("LogoutURLs")),
        default_redirect_uri=req.get("DefaultRedirectURI"),
        flows=frozenset(_unique(req.get("AllowedOAuthFlows"))),
        scopes=frozenset(_unique(req.get("AllowedOAuthScopes"))),
        allowed=bool(req.get("AllowedOAuthFlowsUserPoolClient", False)),
        identity_providers=_unique(req.get("SupportedIdentityProviders")),
    )


def _oauth_description(oauth: OAuthSettings) -> dict[str, Any]:
    """``UserPoolClientType``'s OAuth members as Cognito sends them: the flag always, the
    rest only when set."""
    out: dict[str, Any] = {"AllowedOAuthFlowsUserPoolClient": oauth.allowed}
    if oauth.callback_urls:
        out["CallbackURLs"] = list(oauth.callback_urls)
    if oauth.logout_urls:
        out["LogoutURLs"] = list(oauth.logout_urls)
    if oauth.default_redirect_uri is not None:
        out["DefaultRedirectURI"] = oauth.default_redirect_uri
    if oauth.flows:
        out["AllowedOAuthFlows"] = sorted(oauth.flows)
    if oauth.scopes:
        out["AllowedOAuthScopes"] = sorted(oauth.scopes)
    if oauth.identity_providers:
        out["SupportedIdentityProviders"] = list(oauth.identity_providers)
    return out


def client_settings(req: dict[str, Any]) -> ClientSettings:
    flows_in = req.get("ExplicitAuthFlows")
    flows = None
    if flows_in is not None:
        flows = frozenset(_LEGACY_FLOWS.get(f) or AuthFlow(f) for f in flows_in if f is not None)
    read, write = _strings(req.get("ReadAttributes")), _strings(req.get("WriteAttributes"))
    return ClientSettings(
        name=req["ClientName"],
        explicit_auth_flows=flows,
        access_token_validity=_validity(
            req, "AccessTokenValidity", "AccessToken", Validity(60, "minutes")
        ),
        id_token_validity=_validity(req, "IdTokenValidity", "IdToken", Validity(60, "minutes")),
        refresh_token_validity=_validity(
            req, "RefreshTokenValidity", "RefreshToken", Validity(30, "days")
        ),
        prevent_user_existence_errors=req.get("PreventUserExistenceErrors", "ENABLED") == "ENABLED",
        enable_token_revocation=req.get("EnableTokenRevocation", True),
        read_attributes=tuple(read) if read is not None else None,
        write_attributes=tuple(write) if write is not None else None,
        auth_session_validity=req.get("AuthSessionValidity", 3),
        oauth=_oauth_settings(req),
        extra={k: v for k, v in req.items() if k not in _CLIENT_FIELDS},
    )


def client_summary(client: AppClient) -> dict[str, Any]:
    return {"ClientId": client.id, "UserPoolId": client.pool_id, "ClientName": client.name}


def client_description(client: AppClient) -> dict[str, Any]:
    out: dict[str, Any] = {
        **client_summary(client),
        "CreationDate": client.created_at,
        "LastModifiedDate": client.updated_at,
        "AccessTokenValidity": client.access_token_validity.amount,
        "IdTokenValidity": client.id_token_validity.amount,
        "RefreshTokenValidity": client.refresh_token_validity.amount,
        "TokenValidityUnits": {
            "AccessToken": client.access_token_validity.unit,
            "IdToken": client.id_token_validity.unit,
            "RefreshToken": client.refresh_token_validity.unit,
        },
        "PreventUserExistenceErrors": "ENABLED"
        if client.prevent_user_existence_errors
        else "LEGACY",
        "EnableTokenRevocation": client.enable_token_revocation,
        "EnablePropagateAdditionalUserContextData": False,
        "AuthSessionValidity": client.auth_session_validity,
        **_oauth_description(client.oauth),
    }
    if client.secret is not None:
        out["ClientSecret"] = client.secret
    if client.explicit_auth_flows is not None:
        out["ExplicitAuthFlows"] = sorted(f.value for f in client.explicit_auth_flows)
    if client.read_attributes is not None:
        out["ReadAttributes"] = list(client.read_attributes)
    if client.write_attributes is not None:
        out["WriteAttributes"] = list(client.write_attributes)
    out.update(client.extra)
    return out


def attributes(user: User) -> list[dict[str, str]]:
    return [
        {"Name": "sub", "Value": user.sub},
        *({"Name": k, "Value": v} for k, v in user.attributes.items()),
    ]


def attribute_map(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {item["Name"]: item.get("Value") or "" for item in items or [] if item is not None}


def user(user: User) -> dict[str, Any]:
    """Cognito ``UserType`` (ListUsers) fields; AdminGetUser names the list ``UserAttributes``."""
    return {
        "Username": user.username,
        "Attributes": attributes(user),
        "UserCreateDate": user.created_at,
        "UserLastModifiedDate": user.updated_at,
        "Enabled": user.enabled,
        "UserStatus": user.status.value,
    }


def code_delivery(delivery: CodeDelivery) -> dict[str, str]:
    """Cognito ``CodeDeliveryDetailsType``."""
    return {
        "Destination": delivery.destination,
        "DeliveryMedium": delivery.medium.value,
        "AttributeName": delivery.attribute_name,
    }


def authentication_result(tokens: Tokens) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AccessToken": tokens.access_token,
        "ExpiresIn": tokens.expires_in,
        "IdToken": tokens.id_token,
        "TokenType": tokens.token_type,
    }
    if tokens.refresh_token is not None:
        out["RefreshToken"] = tokens.refresh_token
    return out


def group(group: Group) -> dict[str, Any]:
    """Cognito ``GroupType`` (CreateGroup, GetGroup, ListGroups, UpdateGroup,
    AdminListGroupsForUser); unset optional members are left out, as Cognito does."""
    out: dict[str, Any] = {"GroupName": group.name, "UserPoolId": group.pool_id}
    if group.description is not None:
        out["Description"] = group.description
    if group.role_arn is not None:
        out["RoleArn"] = group.role_arn
    if group.precedence is not None:
        out["Precedence"] = group.precedence
    out["LastModifiedDate"] = group.updated_at
    out["CreationDate"] = group.created_at
    return out


def listed_user(found: User, attributes_to_get: list[str] | None) -> dict[str, Any]:
    """Cognito ``UserType`` as ListUsers returns it: with ``AttributesToGet``, only the attributes
    named there (``sub`` too only when named; an empty list shows none), else all of them."""
    out = user(found)
    if attributes_to_get is not None:
        wanted = set(attributes_to_get)
        out["Attributes"] = [a for a in out["Attributes"] if a["Name"] in wanted]
    return out
