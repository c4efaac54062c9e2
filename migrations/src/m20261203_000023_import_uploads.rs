//! Files uploaded for import, before the import starts: the browser sends the file once, as it
//! is (not inside JSON), the server stores it as it arrives, and the preview and the start name
//! it. A started import takes the file with it; uploads left unstarted are removed after a day.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::schema_helpers::{fk, id, org_index, utc};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum ImportUploads {
    Table,
    Id,
    OrganizationId,
    /// Who uploaded it: only they preview and start it.
    UserId,
    FileName,
    Content,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportUploads::Table)
                    .col(id(ImportUploads::Id))
                    .col(big_integer(ImportUploads::OrganizationId))
                    .col(big_integer(ImportUploads::UserId))
                    .col(string_len(ImportUploads::FileName, 255))
                    .col(text(ImportUploads::Content))
                    .col(utc(ImportUploads::CreatedAt))
                    .foreign_key(&mut fk(
                        ImportUploads::Table,
                        ImportUploads::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ImportUploads::Table,
                        ImportUploads::UserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_import_uploads_org",
                ImportUploads::Table,
                &["id"],
                false,
            ))
            .await?;
        // The sweep of stale uploads.
        manager
            .create_index(
                Index::create()
                    .name("ix_import_uploads_created")
                    .table(ImportUploads::Table)
                    .col(ImportUploads::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        manager
            .drop_table(Table::drop().table(ImportUploads::Table).to_owned())
            .await
    }
}
