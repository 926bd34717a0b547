"""Request and response bodies of identity's API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, EmailStr, Field

from contracts.identity import Role
from contracts.values import PlainText
from identity.domain.account_links import MAX_LINK_TOKEN_LENGTH
from identity.domain.refresh_tokens import MAX_REFRESH_TOKEN_LENGTH
from identity.domain.user_directory import ListedUser
from identity.domain.users import User
from identity.service.refresh_tokens import Tokens


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


# email-validator bounds an address to 254 characters and refuses NUL and other control bytes.
Password = Annotated[PlainText, Field(max_length=256)]
PersonName = Annotated[PlainText, Field(max_length=200), AfterValidator(_not_blank)]


class SignUp(BaseModel):
    email: EmailStr
    password: Annotated[Password, Field(min_length=10)]
    name: PersonName
    role: Literal[Role.BOOKER, Role.OWNER] = Role.BOOKER


class SignIn(BaseModel):
    email: EmailStr
    password: Annotated[Password, Field(min_length=1)]


class AccountDeletion(BaseModel):
    password: Annotated[Password, Field(min_length=1, description="The account's password.")]


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    role: Role
    email_verified: bool = Field(description="Whether the person opened a link sent to the email.")

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            email_verified=user.email_verified,
        )


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds the access token lasts.")
    refresh_token: str = Field(
        description="Single use: `POST /api/auth/refresh` exchanges it for new tokens."
    )
    refresh_expires_in: int = Field(description="Seconds the refresh token lasts unused.")
    user: UserOut

    @classmethod
    def of(cls, user: User, tokens: Tokens) -> TokenOut:
        return cls(
            access_token=tokens.access_token,
            expires_in=tokens.access_expires_in,
            refresh_token=tokens.refresh_token,
            refresh_expires_in=tokens.refresh_expires_in,
            user=UserOut.of(user),
        )


class RefreshTokenIn(BaseModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=MAX_REFRESH_TOKEN_LENGTH)]


LinkToken = Annotated[str, Field(min_length=1, max_length=MAX_LINK_TOKEN_LENGTH)]


class EmailVerification(BaseModel):
    token: LinkToken


class PasswordResetRequest(BaseModel):
    email: EmailStr


class PasswordReset(BaseModel):
    token: LinkToken
    password: Annotated[Password, Field(min_length=10)]


class ListedUserOut(UserOut):
    created_at: datetime

    @classmethod
    def listed(cls, entry: ListedUser) -> ListedUserOut:
        return cls(**UserOut.of(entry.user).model_dump(), created_at=entry.created_at)


class UserPageOut(BaseModel):
    items: list[ListedUserOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class RoleChange(BaseModel):
    role: Role
