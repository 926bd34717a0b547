"""Owners list and change their studios, rooms and add-ons; admins moderate any studio."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, Response, status

from catalog.api.deps import CatalogUnitsDep, IfMatchDep, actor_of
from catalog.api.schemas.studio_views import StudioOut
from catalog.api.schemas.studios import AddOnIn, RoomIn, StudioIn, StudioPatch, Suspension
from catalog.domain.studios import Studio
from catalog.service import studio_changes, studio_reads
from service_runtime.auth import AdminUser, OwnerUser

router = APIRouter(tags=["studios"])


def _out(studio: Studio, response: Response) -> StudioOut:
    response.headers["ETag"] = f'"{studio.version}"'
    return StudioOut.of(studio)


@router.post("/api/studios", status_code=status.HTTP_201_CREATED)
async def create_studio(
    body: StudioIn, owner: OwnerUser, units: CatalogUnitsDep, response: Response
) -> StudioOut:
    studio = await studio_changes.create_studio(
        units, actor_of(owner), body.details(), [room.to_domain() for room in body.rooms]
    )
    response.headers["Location"] = f"/api/studios/{studio.id}"
    return _out(studio, response)


@router.get("/api/owner/studios")
async def my_studios(owner: OwnerUser, units: CatalogUnitsDep) -> list[StudioOut]:
    """The caller's own studios in any status, newest first."""
    studios = await studio_reads.owner_studios(units, actor_of(owner).user_id)
    return [StudioOut.of(studio) for studio in studios]


@router.patch(
    "/api/studios/{studio_id}",
    responses={428: {"description": "The studio's version is in neither If-Match nor the body."}},
)
async def edit_studio(
    studio_id: uuid.UUID,
    body: StudioPatch,
    owner: OwnerUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    response: Response,
) -> StudioOut:
    expected = if_match if if_match is not None else body.version
    if expected is None:
        raise HTTPException(428, "Send the studio's version in If-Match or as `version`.")
    studio = await studio_changes.edit_studio(
        units, actor_of(owner), studio_id, body.changes(), expected_version=expected
    )
    return _out(studio, response)


@router.post("/api/studios/{studio_id}/publish")
async def publish(
    studio_id: uuid.UUID,
    owner: OwnerUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    r: Response,
) -> StudioOut:
    """Owners publish their own complete studios; admins any complete one."""
    studio = await studio_changes.publish(
        units, actor_of(owner), studio_id, expected_version=if_match
    )
    return _out(studio, r)


@router.post("/api/studios/{studio_id}/unlist")
async def unlist(
    studio_id: uuid.UUID,
    owner: OwnerUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    r: Response,
) -> StudioOut:
    studio = await studio_changes.unlist(
        units, actor_of(owner), studio_id, expected_version=if_match
    )
    return _out(studio, r)


@router.post("/api/studios/{studio_id}/suspend")
async def suspend(
    studio_id: uuid.UUID,
    body: Suspension,
    admin: AdminUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    r: Response,
) -> StudioOut:
    studio = await studio_changes.suspend(
        units, actor_of(admin), studio_id, reason=body.reason, expected_version=if_match
    )
    return _out(studio, r)


@router.post("/api/studios/{studio_id}/restore")
async def restore(
    studio_id: uuid.UUID,
    admin: AdminUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    r: Response,
) -> StudioOut:
    studio = await studio_changes.restore(
        units, actor_of(admin), studio_id, expected_version=if_match
    )
    return _out(studio, r)


@router.post("/api/studios/{studio_id}/rooms", status_code=status.HTTP_201_CREATED)
async def add_room(
    studio_id: uuid.UUID,
    body: RoomIn,
    owner: OwnerUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    r: Response,
) -> StudioOut:
    studio = await studio_changes.put_room(
        units,
        actor_of(owner),
        studio_id,
        body.to_domain(),
        expected_version=if_match,
        must_exist=False,
    )
    return _out(studio, r)


@router.put("/api/studios/{studio_id}/rooms/{room_id}")
async def replace_room(
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    body: RoomIn,
    owner: OwnerUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    r: Response,
) -> StudioOut:
    studio = await studio_changes.put_room(
        units,
        actor_of(owner),
        studio_id,
        body.to_domain(room_id),
        expected_version=if_match,
        must_exist=True,
    )
    return _out(studio, r)


@router.delete("/api/studios/{studio_id}/rooms/{room_id}")
async def remove_room(
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    owner: OwnerUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    r: Response,
) -> StudioOut:
    studio = await studio_changes.remove_room(
        units, actor_of(owner), studio_id, room_id, expected_version=if_match
    )
    return _out(studio, r)


@router.post("/api/studios/{studio_id}/add-ons", status_code=status.HTTP_201_CREATED)
async def add_add_on(
    studio_id: uuid.UUID,
    body: AddOnIn,
    owner: OwnerUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    r: Response,
) -> StudioOut:
    """Sell an extra with the studio's bookings; bookings made keep what they bought."""
    studio = await studio_changes.put_add_on(
        units,
        actor_of(owner),
        studio_id,
        body.to_domain(),
        expected_version=if_match,
        must_exist=False,
    )
    return _out(studio, r)


@router.put("/api/studios/{studio_id}/add-ons/{add_on_id}")
async def replace_add_on(
    studio_id: uuid.UUID,
    add_on_id: uuid.UUID,
    body: AddOnIn,
    owner: OwnerUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    r: Response,
) -> StudioOut:
    studio = await studio_changes.put_add_on(
        units,
        actor_of(owner),
        studio_id,
        body.to_domain(add_on_id),
        expected_version=if_match,
        must_exist=True,
    )
    return _out(studio, r)


@router.delete("/api/studios/{studio_id}/add-ons/{add_on_id}")
async def remove_add_on(
    studio_id: uuid.UUID,
    add_on_id: uuid.UUID,
    owner: OwnerUser,
    units: CatalogUnitsDep,
    if_match: IfMatchDep,
    r: Response,
) -> StudioOut:
    studio = await studio_changes.remove_add_on(
        units, actor_of(owner), studio_id, add_on_id, expected_version=if_match
    )
    return _out(studio, r)
