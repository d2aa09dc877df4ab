//! The admin's pages: the dashboard, each model's list, its forms and its delete confirmation.

use super::*;

/// The admin routes; each handler takes [`RequireStaff`], and the app's CSRF layer
/// refuses a POST without the token before any handler runs.
pub fn routes() -> Router<crate::AppState> {
    Router::new()
        .route("/admin", get(dashboard))
        .route("/admin/admin.css", get(stylesheet))
        // plinth:admin-routes
        .route("/admin/{model}", get(list))
        .route("/admin/{model}/new", get(new_page).post(create))
        .route("/admin/{model}/{id}/edit", get(edit_page).post(update))
        .route("/admin/{model}/{id}/delete", get(delete_page).post(delete))
}

/// The admin's stylesheet, compiled into the binary. Not secret, so served to anyone
/// (the login page a visitor is sent to shows no admin page anyway).
pub(super) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("admin.css"),
    )
}

pub(super) fn model(slug: &str) -> Option<&'static dyn AdminModel> {
    MODELS.iter().copied().find(|model| model.slug() == slug)
}

pub(super) fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found\n").into_response()
}

/// The model and the row id named by the path, if both exist.
pub(super) fn model_and_id(slug: &str, id: &str) -> Option<(&'static dyn AdminModel, i64)> {
    Some((model(slug)?, id.parse().ok()?))
}

pub(super) fn model_context(model: &dyn AdminModel) -> Value {
    context! {
        slug => model.slug(),
        plural => model.plural(),
        singular => model.singular(),
    }
}

/// Renders an admin page with the list of models for the sidebar (the navigation, which
/// carries the CSRF token, comes with every `Page`).
pub(super) fn render(
    page: &Page,
    template: &str,
    context: Value,
) -> Result<Html<String>, AppError> {
    let models: Vec<Value> = MODELS.iter().map(|model| model_context(*model)).collect();
    Ok(page.render(template, context! { admin_models => models, ..context })?)
}

pub(super) async fn dashboard(_staff: RequireStaff, page: Page) -> Result<Html<String>, AppError> {
    render(&page, "admin/dashboard.html", context! {})
}

pub(super) async fn list(
    State(state): State<crate::AppState>,
    _staff: RequireStaff,
    page: Page,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let Some(model) = model(&slug) else {
        return Ok(not_found());
    };
    let (search, number) = (query.search(), query.page());
    let listing = model
        .list(&state.db, search, PER_PAGE, query.offset(PER_PAGE))
        .await?;
    let pages = forms::pages(listing.total, PER_PAGE);
    let base = format!("/admin/{}", model.slug());
    let rows: Vec<Value> = listing
        .rows
        .into_iter()
        .map(|row| context! { id => row.id, cells => row.cells })
        .collect();
    let context = context! {
        model => model_context(model),
        columns => model.columns().to_vec(),
        rows => rows,
        total => listing.total,
        search => search,
        page => number,
        pages => pages,
        previous_url => (number > 1).then(|| forms::list_url(&base, search, number - 1)),
        next_url => (number < pages).then(|| forms::list_url(&base, search, number + 1)),
    };
    Ok(render(&page, "admin/list.html", context)?.into_response())
}

/// The form page: new when `id` is `None`; `values` what to fill in, `errors` the
/// messages to show.
pub(super) async fn form_page(
    state: &crate::AppState,
    page: &Page,
    model: &dyn AdminModel,
    record: Option<(i64, &str)>,
    values: &Values,
    errors: &Errors,
) -> Result<Html<String>, AppError> {
    let choices = model.choices(&state.db).await?;
    let (action, title) = match record {
        Some((id, title)) => (format!("/admin/{}/{id}/edit", model.slug()), title),
        None => (format!("/admin/{}/new", model.slug()), ""),
    };
    let context = context! {
        model => model_context(model),
        editing => record.is_some(),
        id => record.map(|(id, _)| id),
        title => title,
        action => action,
        fields => forms::fields_context(&model.fields(record.is_some()), values, errors, &choices),
        form_errors => errors.get("form").cloned().unwrap_or_default(),
    };
    render(page, "admin/form.html", context)
}

pub(super) async fn new_page(
    State(state): State<crate::AppState>,
    _staff: RequireStaff,
    page: Page,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let Some(model) = model(&slug) else {
        return Ok(not_found());
    };
    let form = form_page(&state, &page, model, None, &Values::new(), &Errors::new()).await?;
    Ok(form.into_response())
}

pub(super) async fn create(
    State(state): State<crate::AppState>,
    RequireStaff(staff): RequireStaff,
    page: Page,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some(model) = model(&slug) else {
        return Ok(not_found());
    };
    save(&state, &page, model, None, &body, staff.id).await
}

pub(super) async fn edit_page(
    State(state): State<crate::AppState>,
    _staff: RequireStaff,
    page: Page,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let Some((model, id)) = model_and_id(&slug, &id) else {
        return Ok(not_found());
    };
    let Some(record) = model.find(&state.db, id).await? else {
        return Ok(not_found());
    };
    let editing = Some((id, record.title.as_str()));
    let form = form_page(
        &state,
        &page,
        model,
        editing,
        &record.values,
        &Errors::new(),
    )
    .await?;
    Ok(form.into_response())
}

pub(super) async fn update(
    State(state): State<crate::AppState>,
    RequireStaff(staff): RequireStaff,
    page: Page,
    Path((slug, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some((model, id)) = model_and_id(&slug, &id) else {
        return Ok(not_found());
    };
    let Some(record) = model.find(&state.db, id).await? else {
        return Ok(not_found());
    };
    let record = Some((id, record.title.as_str()));
    save(&state, &page, model, record, &body, staff.id).await
}

/// Saves the posted form of the staff user `by` as a new row, or over `record` (its id
/// and title): 303 to the model's list, or the form again with 422 and what to fix.
async fn save(
    state: &crate::AppState,
    page: &Page,
    model: &dyn AdminModel,
    record: Option<(i64, &str)>,
    body: &[u8],
    by: i64,
) -> Result<Response, AppError> {
    let values = forms::posted_values(body);
    let id = record.map(|(id, _)| id);
    match model.save(&state.db, id, &values, by).await? {
        Ok(_) => Ok(Redirect::to(&format!("/admin/{}", model.slug())).into_response()),
        Err(errors) => {
            let form = form_page(state, page, model, record, &values, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form).into_response())
        }
    }
}

pub(super) async fn delete_page(
    State(state): State<crate::AppState>,
    _staff: RequireStaff,
    page: Page,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let Some((model, id)) = model_and_id(&slug, &id) else {
        return Ok(not_found());
    };
    let Some(record) = model.find(&state.db, id).await? else {
        return Ok(not_found());
    };
    let context = context! {
        model => model_context(model),
        id => id,
        title => record.title,
    };
    Ok(render(&page, "admin/delete.html", context)?.into_response())
}

pub(super) async fn delete(
    State(state): State<crate::AppState>,
    _staff: RequireStaff,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let Some((model, id)) = model_and_id(&slug, &id) else {
        return Ok(not_found());
    };
    if !model.delete(&state.db, id).await? {
        return Ok(not_found());
    }
    Ok(Redirect::to(&format!("/admin/{slug}")).into_response())
}
